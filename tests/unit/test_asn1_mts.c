/* Unit tests: X.411 MTS codec (asn1/mts.c). Expected octets quoted in the
 * tests are written out by hand from X.411 (IMPLICIT tags). */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "asn1/mts.h"
#include "mhs_test_util.h"

static struct or_address addr(const char *text)
{
    struct or_address a;

    if (or_address_parse(text, strlen(text), &a, NULL) < 0)
        fail_msg("bad test address %s", text);
    return a;
}

static bool contains(const struct ber_writer *w, const char *hex)
{
    uint8_t b[256];
    size_t n = mhs_t_unhex(hex, b);

    return memmem(ber_writer_data(w), ber_writer_len(w), b, n) != NULL;
}

static const uint8_t priv_oid[] = { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x01 }; /* 1.3.6.1.4.1.311.1 */

/* An extension list: standard-extension 1 (recipient-reassignment-prohibited,
 * value ENUMERATED 1, critical for delivery) and a private one (critical for
 * submission). Encoded by hand:
 *   30 0b 80 01 01 81 02 05 20 a2 03 0a 01 01
 *   30 12 83 08 <oid> 81 02 07 80 a2 02 05 00                         */
static const char ext_list_hex[] =
    "30 0c 80 01 01 81 02 05 20 a2 03 0a 01 01"
    "30 12 83 08 2b 06 01 04 01 82 37 01 81 02 07 80 a2 02 05 00";

static struct mhs_seq ext_list(uint8_t *buf)
{
    size_t n = mhs_t_unhex(ext_list_hex, buf);

    return mhs_seq_raw(ber_slice_make(buf, n), 2);
}

static struct mts_identifier mts_id(const char *local)
{
    struct mts_identifier id;

    memset(&id, 0, sizeof(id));
    id.gdi.country = mhs_str_make("XX", 2, BER_PRINTABLE_STRING);
    id.gdi.admd = mhs_str_make(" ", 1, BER_PRINTABLE_STRING);
    id.gdi.prmd = mhs_str_make("TEST", 4, BER_PRINTABLE_STRING);
    id.local = mhs_str_make(local, strlen(local), BER_IA5_STRING);
    return id;
}

/* ---- bind ---------------------------------------------------------------- */

static int recode_bind_arg(struct ber_slice in, struct ber_writer *w, struct ber_error *err)
{
    struct mts_bind_arg a;
    int rc = mts_bind_arg_decode(in, &a, err);

    return rc < 0 ? rc : mts_bind_arg_encode(w, &a);
}

static void test_mts_bind_arg_roundtrip(void **state)
{
    struct mts_bind_arg a, b;
    struct ber_writer w;
    struct ber_error err;
    uint8_t ext[128];

    (void)state;
    memset(&a, 0, sizeof(a));
    a.initiator_name.kind = MTS_OBJ_USER_AGENT;
    a.initiator_name.orname = addr("/C=XX/A= /P=TEST/O=Org/S=ua/");
    a.credentials.password = ber_slice_make("secret", 6);
    a.extensions = ext_list(ext);
    ber_writer_init(&w);
    assert_int_equal(mts_bind_arg_encode(&w, &a), 0);
    /* initiator-credentials [2] { IA5String "secret" }: the tag on the CHOICE is explicit */
    assert_true(contains(&w, "a2 08 16 06 73 65 63 72 65 74"));
    assert_int_equal(mts_bind_arg_decode(ber_writer_slice(&w), &b, &err), 0);
    assert_int_equal(b.initiator_name.kind, MTS_OBJ_USER_AGENT);
    assert_true(or_address_match(&a.initiator_name.orname, &b.initiator_name.orname));
    assert_int_equal(b.credentials.kind, MTS_CRED_SIMPLE);
    assert_int_equal(b.credentials.password.len, 6);
    assert_memory_equal(b.credentials.password.ptr, "secret", 6);
    assert_int_equal(b.extensions.count, 2);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_bind_arg, "MTSBindArgument");
    ber_writer_free(&w);
}

static void test_mts_bind_arg_mta_name_and_unknown_member(void **state)
{
    /* SET { [9] (unknown, extensible SET) 05 00, credentials [2] OCTET STRING "pw",
     * mTA [0] "mta1" } in an unusual order */
    static const char hex[] = "31 10 a9 02 05 00 a2 04 04 02 70 77 80 04 6d 74 61 31";
    uint8_t in[64];
    size_t n = mhs_t_unhex(hex, in);
    struct mts_bind_arg a;
    struct ber_error err;

    (void)state;
    assert_int_equal(mts_bind_arg_decode(ber_slice_make(in, n), &a, &err), 0);
    assert_int_equal(a.initiator_name.kind, MTS_OBJ_MTA);
    assert_int_equal(a.initiator_name.mta.len, 4);
    assert_true(a.credentials.octets);
}

static void test_mts_bind_arg_errors_neg(void **state)
{
    static const struct { const char *hex; size_t offset; const char *what; } cases[] = {
        { "31 06 80 04 6d 74 61 31", 0, "credentials missing" },
        { "31 06 a2 04 04 02 70 77", 0, "name missing" },
        { "31 0a 80 04 6d 74 61 31 80 02 6d 74", 8, "appears twice" },
        { "31 08 80 04 6d 74 61 31 a2 00", 8, "" },
        { "30 00", 0, "wrong tag" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t in[64];
        size_t n = mhs_t_unhex(cases[i].hex, in);
        struct mts_bind_arg a;
        struct ber_error err;
        int rc = mts_bind_arg_decode(ber_slice_make(in, n), &a, &err);

        if (rc >= 0 || err.offset != cases[i].offset || !err.type || !strstr(err.what, cases[i].what))
            fail_msg("case %zu: rc %d %s at %zu: %s", i, rc, err.type ? err.type : "-", err.offset,
                     err.what ? err.what : "-");
        assert_non_null(strstr(err.type, "MTSBind"));
    }
}

static int recode_bind_result(struct ber_slice in, struct ber_writer *w, struct ber_error *err)
{
    struct mts_bind_result r;
    int rc = mts_bind_result_decode(in, &r, err);

    return rc < 0 ? rc : mts_bind_result_encode(w, &r);
}

static void test_mts_bind_result_and_error(void **state)
{
    struct mts_bind_result r;
    struct ber_writer w;
    struct ber_error err;
    int code = -1;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.responder_name.kind = MTS_OBJ_MTA;
    r.responder_name.mta = mhs_str_make("mta.example", 11, BER_IA5_STRING);
    r.credentials.password = ber_slice_make("", 0);
    ber_writer_init(&w);
    assert_int_equal(mts_bind_result_encode(&w, &r), 0);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_bind_result, "MTSBindResult");
    ber_writer_reset(&w);
    assert_int_equal(mts_bind_error_encode(&w, MTS_BIND_AUTHENTICATION_ERROR), 0);
    assert_int_equal(ber_writer_len(&w), 3);
    assert_memory_equal(ber_writer_data(&w), "\x02\x01\x02", 3);
    assert_int_equal(mts_bind_error_decode(ber_writer_slice(&w), &code, &err), 0);
    assert_int_equal(code, MTS_BIND_AUTHENTICATION_ERROR);
    ber_writer_free(&w);
}

/* ---- submission ------------------------------------------------------------- */

static void fill_envelope(struct mts_submission_envelope *e, struct mts_submission_recipient *r,
                          uint8_t *ext)
{
    memset(e, 0, sizeof(*e));
    memset(r, 0, 2 * sizeof(*r));
    e->originator_name = addr("/C=XX/A= /P=TEST/O=Org/S=alice/");
    e->content_type.present = true;
    e->content_type.builtin = true;
    e->content_type.builtin_value = MTS_CONTENT_P22_1988;
    e->content_identifier = mhs_str_make("cid-1", 5, BER_PRINTABLE_STRING);
    e->extensions = ext_list(ext);
    r[0].recipient_name = addr("/C=XX/A= /P=TEST/O=Org/S=bob/");
    r[0].originator_report_request = MTS_ORR_REPORT;
    r[1].recipient_name = addr("/C=XX/A= /P=TEST/O=Org/S=carol/");
    r[1].originator_report_request = MTS_ORR_NON_DELIVERY_REPORT;
    r[1].has_explicit_conversion = true;
    r[1].explicit_conversion = 0;
    e->recipient_array = r;
    e->n_recipient_array = 2;
}

static int recode_submission(struct ber_slice in, struct ber_writer *w, struct ber_error *err)
{
    struct mts_submission_arg a;
    int rc = mts_submission_arg_decode(in, &a, err);

    return rc < 0 ? rc : mts_submission_arg_encode(w, &a);
}

static bool known_standard_1(const struct mts_extension *e, void *arg)
{
    (void)arg;
    return !e->is_private && e->standard == 1;
}

static void test_mts_submission_roundtrip(void **state)
{
    struct mts_submission_arg a, b;
    struct mts_submission_recipient r[2], got;
    struct mts_extension bad;
    struct mhs_seq_iter it;
    struct ber_writer w;
    struct ber_error err;
    uint8_t ext[128];

    (void)state;
    memset(&a, 0, sizeof(a));
    fill_envelope(&a.envelope, r, ext);
    a.content.bytes = ber_slice_make("hello", 5);
    ber_writer_init(&w);
    assert_int_equal(mts_submission_arg_encode(&w, &a), 0);
    /* DEFAULT priority normal and empty per-message-indicators are omitted */
    assert_false(contains(&w, "47 01 00"));
    assert_false(contains(&w, "48"));
    assert_true(contains(&w, "46 01 16")); /* built-in content type 22 */
    assert_int_equal(mts_submission_arg_decode(ber_writer_slice(&w), &b, &err), 0);
    assert_int_equal(b.envelope.priority, MTS_PRIORITY_NORMAL);
    assert_int_equal(b.envelope.content_type.builtin_value, 22);
    assert_int_equal(b.envelope.recipients.count, 2);
    assert_int_equal(b.content.bytes.len, 5);
    mhs_seq_iter_init(&it, &b.envelope.recipients, &err);
    assert_int_equal(mts_submission_recipient_next(&it, &got), 1);
    assert_true(or_address_match(&got.recipient_name, &r[0].recipient_name));
    assert_int_equal(got.originator_report_request, MTS_ORR_REPORT);
    assert_int_equal(mts_submission_recipient_next(&it, &got), 1);
    assert_true(got.has_explicit_conversion);
    assert_int_equal(mts_submission_recipient_next(&it, &got), 0);
    /* criticality honoured: the private extension is critical for submission */
    assert_int_equal(mts_extensions_check_critical(&b.envelope.extensions, MTS_CRIT_FOR_SUBMISSION,
                                                   known_standard_1, NULL, &bad, &err), X400MS_ENOTSUP);
    assert_true(bad.is_private);
    assert_int_equal(bad.private_oid.len, sizeof(priv_oid));
    assert_int_equal(mts_extensions_check_critical(&b.envelope.extensions, MTS_CRIT_FOR_DELIVERY,
                                                   known_standard_1, NULL, &bad, &err), 0);
    assert_int_equal(mts_extensions_check_critical(&b.envelope.extensions, MTS_CRIT_FOR_DELIVERY,
                                                   NULL, NULL, &bad, &err), X400MS_ENOTSUP);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_submission, "MessageSubmissionArgument");
    /* non-default priority is encoded */
    a.envelope.priority = MTS_PRIORITY_URGENT;
    ber_writer_reset(&w);
    assert_int_equal(mts_submission_arg_encode(&w, &a), 0);
    assert_true(contains(&w, "47 01 02"));
    ber_writer_free(&w);
}

static void test_mts_unknown_extension_preserved(void **state)
{
    /* An envelope whose extension list holds an extension with an odd but
     * valid encoding (criticality with 5 unused bits, a constructed value):
     * it must come back byte for byte. */
    struct mts_submission_arg a, b;
    struct mts_submission_recipient r[2];
    struct ber_writer w, w2;
    struct ber_error err;
    uint8_t ext[128];
    static const char odd_hex[] = "30 12 83 08 2b 06 01 04 01 82 37 01 a2 06 30 04 04 02 aa bb";
    size_t n;

    (void)state;
    memset(&a, 0, sizeof(a));
    fill_envelope(&a.envelope, r, ext);
    n = mhs_t_unhex(odd_hex, ext);
    a.envelope.extensions = mhs_seq_raw(ber_slice_make(ext, n), 1);
    a.content.bytes = ber_slice_make("x", 1);
    ber_writer_init(&w);
    ber_writer_init(&w2);
    assert_int_equal(mts_submission_arg_encode(&w, &a), 0);
    assert_int_equal(mts_submission_arg_decode(ber_writer_slice(&w), &b, &err), 0);
    assert_int_equal(mts_submission_arg_encode(&w2, &b), 0);
    assert_int_equal(ber_writer_len(&w), ber_writer_len(&w2));
    assert_memory_equal(ber_writer_data(&w), ber_writer_data(&w2), ber_writer_len(&w));
    assert_true(contains(&w2, odd_hex));
    ber_writer_free(&w);
    ber_writer_free(&w2);
}

static int recode_probe(struct ber_slice in, struct ber_writer *w, struct ber_error *err)
{
    struct mts_submission_envelope e;
    int rc = mts_probe_submission_arg_decode(in, &e, err);

    return rc < 0 ? rc : mts_probe_submission_arg_encode(w, &e);
}

static int recode_subm_result(struct ber_slice in, struct ber_writer *w, struct ber_error *err)
{
    struct mts_submission_result r;
    int rc = mts_submission_result_decode(in, &r, err);

    return rc < 0 ? rc : mts_submission_result_encode(w, &r);
}

static void test_mts_probe_and_results(void **state)
{
    struct mts_submission_envelope e, d;
    struct mts_submission_recipient r[2];
    struct mts_submission_result sr;
    struct ber_writer w;
    struct ber_error err;
    uint8_t ext[128];

    (void)state;
    fill_envelope(&e, r, ext);
    e.has_content_length = true;
    e.content_length = 12345;
    ber_writer_init(&w);
    assert_int_equal(mts_probe_submission_arg_encode(&w, &e), 0);
    assert_true(contains(&w, "80 02 30 39")); /* content-length [0] 12345 */
    assert_int_equal(mts_probe_submission_arg_decode(ber_writer_slice(&w), &d, &err), 0);
    assert_int_equal(d.content_length, 12345);
    assert_int_equal(d.recipients.count, 2);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_probe, "ProbeSubmissionArgument");

    memset(&sr, 0, sizeof(sr));
    sr.identifier = mts_id("msg-0001");
    sr.time = mhs_time_make(1795332761);
    sr.content_identifier = mhs_str_make("cid-1", 5, BER_PRINTABLE_STRING);
    ber_writer_reset(&w);
    assert_int_equal(mts_submission_result_encode(&w, &sr), 0);
    /* MTSIdentifier [APPLICATION 4] { GDI [APPLICATION 3] { 61 {13 "XX"} ... } } */
    assert_true(contains(&w, "64 1d 63 11 61 04 13 02 58 58 62 03 13 01 20 13 04 54 45 53 54"));
    assert_true(contains(&w, "80 0d 32 36 31 31 32 32 30 37 33 32 34 31 5a")); /* 261122073241Z */
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_subm_result, "SubmissionResult");
    ber_writer_free(&w);
}

/* ---- delivery --------------------------------------------------------------------- */

static void fill_delivery(struct mts_delivery_arg *a, uint8_t *ext, const void *content, size_t n)
{
    memset(a, 0, sizeof(*a));
    a->delivery_identifier = mts_id("dlv-42");
    a->delivery_time = mhs_time_make(1795332761);
    a->content_type.present = true;
    a->content_type.builtin = true;
    a->content_type.builtin_value = MTS_CONTENT_P22_1988;
    a->originator_name = addr("/C=XX/A= /P=TEST/O=Org/S=alice/");
    a->priority = MTS_PRIORITY_URGENT;
    a->has_delivery_flags = true;
    a->delivery_flags = 1u << 1;
    a->this_recipient_name = addr("/C=XX/A= /P=TEST/O=Org/S=bob/");
    a->has_originally_intended = true;
    a->originally_intended = addr("/C=XX/A= /P=TEST/O=Org/S=bobby/");
    a->submission_time = mhs_time_make(1795332700);
    a->content_identifier = mhs_str_make("cid-1", 5, BER_PRINTABLE_STRING);
    a->extensions = ext_list(ext);
    a->content.bytes = ber_slice_make(content, n);
}

static int recode_delivery(struct ber_slice in, struct ber_writer *w, struct ber_error *err)
{
    struct mts_delivery_arg a;
    int rc = mts_delivery_arg_decode(in, &a, err);

    return rc < 0 ? rc : mts_delivery_arg_encode(w, &a);
}

static void test_mts_delivery_roundtrip(void **state)
{
    static uint8_t content[70000];
    struct mts_delivery_arg a, b;
    struct ber_writer w;
    struct ber_error err;
    uint8_t ext[128];

    (void)state;
    for (size_t i = 0; i < sizeof(content); i++)
        content[i] = (uint8_t)(i * 7);
    fill_delivery(&a, ext, content, sizeof(content));
    ber_writer_init(&w);
    assert_int_equal(mts_delivery_arg_encode(&w, &a), 0);
    assert_true(contains(&w, "80 01 16"));          /* content-type built-in [0] 22 (implicit) */
    assert_true(contains(&w, "47 01 02"));          /* priority urgent */
    assert_true(contains(&w, "82 02 06 40"));       /* delivery-flags: bit 1 */
    assert_true(contains(&w, "88 05 63 69 64 2d 31")); /* content-identifier [8] */
    assert_true(contains(&w, "04 83 01 11 70"));    /* the 70000-octet content */
    assert_int_equal(mts_delivery_arg_decode(ber_writer_slice(&w), &b, &err), 0);
    assert_true(or_address_match(&b.this_recipient_name, &a.this_recipient_name));
    assert_true(or_address_match(&b.originally_intended, &a.originally_intended));
    assert_int_equal(b.priority, MTS_PRIORITY_URGENT);
    assert_int_equal(b.content.bytes.len, sizeof(content));
    assert_memory_equal(b.content.bytes.ptr, content, sizeof(content));
    assert_int_equal(b.delivery_time.sec, 1795332761);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_delivery, "MessageDeliveryArgument");
    ber_writer_free(&w);
}

static void test_mts_delivery_errors_neg(void **state)
{
    struct mts_delivery_arg a, b;
    struct ber_writer w;
    struct ber_error err;
    uint8_t ext[128], buf[4096];
    size_t n;

    (void)state;
    fill_delivery(&a, ext, "hi", 2);
    ber_writer_init(&w);
    assert_int_equal(mts_delivery_arg_encode(&w, &a), 0);
    n = ber_writer_len(&w);
    memcpy(buf, ber_writer_data(&w), n);
    /* every truncation fails with an error naming a type */
    for (size_t cut = 0; cut < n; cut++) {
        memset(&err, 0, sizeof(err));
        if (mts_delivery_arg_decode(ber_slice_make(buf, cut), &b, &err) >= 0)
            fail_msg("truncated to %zu octets decoded", cut);
        assert_non_null(err.type);
        assert_true(err.offset <= cut);
    }
    /* wrong outer tag */
    buf[0] = 0x31;
    assert_int_equal(mts_delivery_arg_decode(ber_slice_make(buf, n), &b, &err), X400MS_EPROTO);
    assert_int_equal(err.offset, 0);
    assert_non_null(strstr(err.type, "MessageDeliveryArgument"));
    /* missing this-recipient-name: encode without it by replacing the tag [4] by [10] */
    buf[0] = 0x30;
    for (size_t i = 0; i + 1 < n; i++)
        if (buf[i] == 0xa4) {
            buf[i] = 0xaa;
            break;
        }
    assert_int_equal(mts_delivery_arg_decode(ber_slice_make(buf, n), &b, &err), X400MS_EPROTO);
    assert_non_null(strstr(err.type, "OtherMessageDeliveryFields"));
    ber_writer_free(&w);
}

static int recode_delivery_result(struct ber_slice in, struct ber_writer *w, struct ber_error *err)
{
    struct mts_delivery_result r;
    int rc = mts_delivery_result_decode(in, &r, err);

    return rc < 0 ? rc : mts_delivery_result_encode(w, &r);
}

static void test_mts_delivery_result(void **state)
{
    struct mts_delivery_result r;
    struct ber_writer w;
    uint8_t ext[128];

    (void)state;
    memset(&r, 0, sizeof(r));
    ber_writer_init(&w);
    assert_int_equal(mts_delivery_result_encode(&w, &r), 0);
    assert_int_equal(ber_writer_len(&w), 2); /* empty SET: extensions DEFAULT {} omitted */
    assert_memory_equal(ber_writer_data(&w), "\x31\x00", 2);
    r.extensions = ext_list(ext);
    ber_writer_reset(&w);
    assert_int_equal(mts_delivery_result_encode(&w, &r), 0);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_delivery_result, "MessageDeliveryResult");
    ber_writer_free(&w);
}

static int recode_report(struct ber_slice in, struct ber_writer *w, struct ber_error *err)
{
    struct mts_report_delivery_arg a;
    int rc = mts_report_delivery_arg_decode(in, &a, err);

    return rc < 0 ? rc : mts_report_delivery_arg_encode(w, &a);
}

static void test_mts_report_delivery(void **state)
{
    struct mts_report_delivery_arg a, b;
    struct mts_report_recipient r[2], got;
    struct mhs_seq_iter it;
    struct ber_writer w;
    struct ber_error err;

    (void)state;
    memset(&a, 0, sizeof(a));
    memset(r, 0, sizeof(r));
    a.subject_submission_identifier = mts_id("msg-0001");
    a.content_identifier = mhs_str_make("cid-1", 5, BER_PRINTABLE_STRING);
    r[0].actual_recipient = addr("/C=XX/A= /P=TEST/O=Org/S=bob/");
    r[0].delivered = true;
    r[0].delivery_time = mhs_time_make(1795332761);
    r[0].diagnostic_code = -1;
    r[1].actual_recipient = addr("/C=XX/A= /P=TEST/O=Org/S=nobody/");
    r[1].delivered = false;
    r[1].reason_code = 1;
    r[1].diagnostic_code = 0;
    r[1].supplementary_info = mhs_str_make("unknown user", 12, BER_PRINTABLE_STRING);
    a.recipient_array = r;
    a.n_recipient_array = 2;
    a.has_returned_content = true;
    a.returned_content.bytes = ber_slice_make("body", 4);
    ber_writer_init(&w);
    assert_int_equal(mts_report_delivery_arg_encode(&w, &a), 0);
    /* report-type [1] { non-delivery [1] { [0] 1, [1] 0 } } */
    assert_true(contains(&w, "a1 08 a1 06 80 01 01 81 01 00"));
    assert_true(contains(&w, "80 04 62 6f 64 79")); /* returned-content [0] */
    assert_int_equal(mts_report_delivery_arg_decode(ber_writer_slice(&w), &b, &err), 0);
    assert_int_equal(b.recipients.count, 2);
    mhs_seq_iter_init(&it, &b.recipients, &err);
    assert_int_equal(mts_report_recipient_next(&it, &got), 1);
    assert_true(got.delivered);
    assert_int_equal(got.type_of_mts_user, 0);
    assert_int_equal(mts_report_recipient_next(&it, &got), 1);
    assert_false(got.delivered);
    assert_int_equal(got.reason_code, 1);
    assert_int_equal(got.diagnostic_code, 0);
    assert_int_equal(got.supplementary_info.len, 12);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_report, "ReportDeliveryArgument");
    ber_writer_free(&w);
}

static void test_mts_error_parameters(void **state)
{
    struct or_address names[2];
    struct mhs_seq seq;
    struct mhs_seq_iter it;
    struct or_address got;
    struct ber_writer w;
    struct ber_error err;
    int p = -1;

    (void)state;
    names[0] = addr("/C=XX/A= /S=a/");
    names[1] = addr("/C=XX/A= /S=b/");
    ber_writer_init(&w);
    assert_int_equal(mts_improper_recipients_encode(&w, names, 2), 0);
    assert_int_equal(mts_improper_recipients_decode(ber_writer_slice(&w), &seq, &err), 0);
    assert_int_equal(seq.count, 2);
    mhs_seq_iter_init(&it, &seq, &err);
    assert_int_equal(mts_orname_next(&it, &got), 1);
    assert_true(or_address_match(&got, &names[0]));
    ber_writer_reset(&w);
    assert_int_equal(mts_security_error_encode(&w, 30), 0);
    assert_int_equal(mts_security_error_decode(ber_writer_slice(&w), &p, &err), 0);
    assert_int_equal(p, 30);
    ber_writer_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mts_bind_arg_roundtrip),
        cmocka_unit_test(test_mts_bind_arg_mta_name_and_unknown_member),
        cmocka_unit_test(test_mts_bind_arg_errors_neg),
        cmocka_unit_test(test_mts_bind_result_and_error),
        cmocka_unit_test(test_mts_submission_roundtrip),
        cmocka_unit_test(test_mts_unknown_extension_preserved),
        cmocka_unit_test(test_mts_probe_and_results),
        cmocka_unit_test(test_mts_delivery_roundtrip),
        cmocka_unit_test(test_mts_delivery_errors_neg),
        cmocka_unit_test(test_mts_delivery_result),
        cmocka_unit_test(test_mts_report_delivery),
        cmocka_unit_test(test_mts_error_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
