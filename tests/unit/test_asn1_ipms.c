/* Unit tests: X.420 IPM codec (asn1/ipms.c). X.420 is IMPLICIT except the
 * subject [8]; the octets quoted below are written out by hand from X.420. */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "asn1/ipms.h"
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

static int recode_object(struct ber_slice in, struct ber_writer *w, struct ber_error *err)
{
    struct ipms_object o;
    int rc = ipms_object_decode(in, &o, err);

    return rc < 0 ? rc : ipms_object_encode(w, &o);
}

/* STANAG 4406 heading extensions: primary-precedence 3 (immediate), copy-precedence 1. */
static const char prec_ext_hex[] =
    "30 0d 06 08 2b 1a 00 a2 36 00 02 00 02 01 03"
    "30 0d 06 08 2b 1a 00 a2 36 00 02 01 02 01 01";

static void build_ipm(struct ipms_object *o, struct ipm_recipient *rec, struct ipm_body_part *bp,
                      uint8_t *extbuf)
{
    size_t n;

    memset(o, 0, sizeof(*o));
    memset(rec, 0, 2 * sizeof(*rec));
    memset(bp, 0, 3 * sizeof(*bp));
    o->kind = IPMS_OBJ_IPM;
    o->ipm.heading.this_ipm.has_user = true;
    o->ipm.heading.this_ipm.user = addr("/C=XX/A= /P=TEST/O=Org/S=alice/");
    o->ipm.heading.this_ipm.local_id = mhs_str_make("ipm-1", 5, BER_PRINTABLE_STRING);
    o->ipm.heading.has_originator = true;
    o->ipm.heading.originator.has_formal_name = true;
    o->ipm.heading.originator.formal_name = addr("/C=XX/A= /P=TEST/O=Org/S=alice/");
    o->ipm.heading.originator.free_form_name = mhs_str_make("Alice", 5, BER_TELETEX_STRING);
    rec[0].recipient.has_formal_name = true;
    rec[0].recipient.formal_name = addr("/C=XX/A= /P=TEST/O=Org/S=bob/");
    rec[0].notification_requests = IPM_NOTIFY_RN | IPM_NOTIFY_NRN;
    rec[0].reply_requested = true;
    rec[1].recipient.has_formal_name = true;
    rec[1].recipient.formal_name = addr("/C=XX/A= /P=TEST/O=Org/S=carol/");
    o->ipm.heading.primary.arr = rec;
    o->ipm.heading.primary.n = 1;
    o->ipm.heading.copy.arr = rec + 1;
    o->ipm.heading.copy.n = 1;
    o->ipm.heading.has_subject = true;
    o->ipm.heading.subject.bytes = ber_slice_make("Status report", 13);
    o->ipm.heading.importance = IPM_IMPORTANCE_HIGH;
    o->ipm.heading.sensitivity = IPM_SENSITIVITY_PRIVATE;
    o->ipm.heading.expiry_time = mhs_time_make(1795332761);
    n = mhs_t_unhex(prec_ext_hex, extbuf);
    o->ipm.heading.extensions = mhs_seq_raw(ber_slice_make(extbuf, n), 2);
    bp[0].kind = IPM_BP_IA5_TEXT;
    bp[0].text.bytes = ber_slice_make("Hello Bob", 9);
    bp[1].kind = IPM_BP_GENERAL_TEXT;
    bp[1].text.bytes = ber_slice_make("General", 7);
    bp[1].charsets = ber_slice_make("\x31\x03\x02\x01\x06", 5);
    bp[2].kind = IPM_BP_BILATERAL;
    bp[2].text.bytes = ber_slice_make("\x01\x02\x03", 3);
    o->ipm.body_array = bp;
    o->ipm.n_body_array = 3;
}

static void test_ipms_ipm_roundtrip(void **state)
{
    struct ipms_object o, d;
    struct ipm_recipient rec[2], r;
    struct ipm_body_part bp[3], b;
    struct mhs_seq_iter it;
    struct ber_writer w;
    struct ber_error err;
    uint8_t ext[64];

    (void)state;
    build_ipm(&o, rec, bp, ext);
    ber_writer_init(&w);
    assert_int_equal(ipms_object_encode(&w, &o), 0);
    assert_int_equal(ber_writer_data(&w)[0], 0xa0);                  /* ipm [0] IMPLICIT SEQUENCE */
    assert_true(contains(&w, "a8 0f 14 0d 53 74 61 74 75 73"));      /* subject [8] EXPLICIT */
    assert_true(contains(&w, "8c 01 02"));                           /* importance [12] high */
    assert_true(contains(&w, "8d 01 02"));                           /* sensitivity [13] private */
    assert_true(contains(&w, "a0 0d 31 00 16 09 48 65 6c 6c 6f"));   /* ia5-text [0] */
    assert_true(contains(&w, "8e 03 01 02 03"));                     /* bilaterally-defined [14] */
    assert_true(contains(&w, "28 11 06 04 56 01 04 0b a0 09 1b 07")); /* general text data */
    assert_int_equal(ipms_object_decode(ber_writer_slice(&w), &d, &err), 0);
    assert_int_equal(d.kind, IPMS_OBJ_IPM);
    assert_int_equal(d.ipm.heading.this_ipm.local_id.len, 5);
    assert_true(d.ipm.heading.has_subject);
    assert_int_equal(d.ipm.heading.subject.bytes.len, 13);
    assert_int_equal(d.ipm.heading.importance, IPM_IMPORTANCE_HIGH);
    assert_int_equal(d.ipm.heading.sensitivity, IPM_SENSITIVITY_PRIVATE);
    assert_int_equal(d.ipm.heading.primary_precedence, 3);
    assert_int_equal(d.ipm.heading.copy_precedence, 1);
    assert_int_equal(d.ipm.heading.primary.raw.count, 1);
    mhs_seq_iter_init(&it, &d.ipm.heading.primary.raw, &err);
    assert_int_equal(ipm_recipient_next(&it, &r), 1);
    assert_true(r.reply_requested);
    assert_int_equal(r.notification_requests, IPM_NOTIFY_RN | IPM_NOTIFY_NRN);
    assert_true(or_address_match(&r.recipient.formal_name, &rec[0].recipient.formal_name));
    assert_int_equal(d.ipm.body.count, 3);
    mhs_seq_iter_init(&it, &d.ipm.body, &err);
    assert_int_equal(ipm_body_part_next(&it, &b), 1);
    assert_int_equal(b.kind, IPM_BP_IA5_TEXT);
    assert_int_equal(b.repertoire, 5);
    assert_memory_equal(b.text.bytes.ptr, "Hello Bob", 9);
    assert_int_equal(ipm_body_part_next(&it, &b), 1);
    assert_int_equal(b.kind, IPM_BP_GENERAL_TEXT);
    assert_int_equal(b.charsets.len, 5);
    assert_int_equal(ipm_body_part_next(&it, &b), 1);
    assert_int_equal(b.kind, IPM_BP_BILATERAL);
    assert_int_equal(ipm_body_part_next(&it, &b), 0);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_object, "IPM");
    ber_writer_free(&w);
}

static void test_ipms_defaults_omitted(void **state)
{
    struct ipms_object o;
    struct ber_writer w;

    (void)state;
    memset(&o, 0, sizeof(o));
    o.ipm.heading.this_ipm.local_id = mhs_str_make("x", 1, BER_PRINTABLE_STRING);
    o.ipm.heading.importance = IPM_IMPORTANCE_NORMAL;
    ber_writer_init(&w);
    assert_int_equal(ipms_object_encode(&w, &o), 0);
    /* IPM { heading SET { this-IPM [APPLICATION 11] { "x" } }, body SEQUENCE {} } */
    assert_int_equal(ber_writer_len(&w), 11);
    assert_memory_equal(ber_writer_data(&w), "\xa0\x09\x31\x05\x6b\x03\x13\x01\x78\x30\x00", 11);
    ber_writer_free(&w);
}

static void test_ipms_message_body_part(void **state)
{
    struct ipms_object inner, outer, d;
    struct ipm_recipient rec[2];
    struct ipm_body_part bp[3], fwd, b;
    struct ipm fwd_ipm;
    struct mhs_seq_iter it;
    struct ber_writer wi, w;
    struct ber_error err;
    uint8_t ext[64];

    (void)state;
    build_ipm(&inner, rec, bp, ext);
    ber_writer_init(&wi);
    assert_int_equal(ipms_ipm_encode(&wi, BER_UNIV(BER_SEQUENCE), &inner.ipm), 0);
    memset(&fwd, 0, sizeof(fwd));
    fwd.kind = IPM_BP_MESSAGE;
    fwd.delivery_time = mhs_time_make(1795332761);
    fwd.ipm = ber_writer_slice(&wi);
    memset(&outer, 0, sizeof(outer));
    outer.ipm.heading.this_ipm.local_id = mhs_str_make("fwd", 3, BER_PRINTABLE_STRING);
    outer.ipm.body_array = &fwd;
    outer.ipm.n_body_array = 1;
    ber_writer_init(&w);
    assert_int_equal(ipms_object_encode(&w, &outer), 0);
    assert_int_equal(ipms_object_decode(ber_writer_slice(&w), &d, &err), 0);
    mhs_seq_iter_init(&it, &d.ipm.body, &err);
    assert_int_equal(ipm_body_part_next(&it, &b), 1);
    assert_int_equal(b.kind, IPM_BP_MESSAGE);
    assert_true(b.delivery_time.present);
    assert_int_equal(ipms_ipm_decode(b.ipm, &fwd_ipm, &err), 0);
    assert_int_equal(fwd_ipm.heading.primary_precedence, 3);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_object, "IPM with message body part");
    ber_writer_free(&w);
    ber_writer_free(&wi);
}

static void test_ipms_ipn(void **state)
{
    struct ipms_object o, d;
    struct ber_writer w;
    struct ber_error err;

    (void)state;
    memset(&o, 0, sizeof(o));
    o.kind = IPMS_OBJ_IPN;
    o.ipn.subject_ipm.has_user = true;
    o.ipn.subject_ipm.user = addr("/C=XX/A= /P=TEST/O=Org/S=alice/");
    o.ipn.subject_ipm.local_id = mhs_str_make("ipm-1", 5, BER_PRINTABLE_STRING);
    o.ipn.has_ipn_originator = true;
    o.ipn.ipn_originator.has_formal_name = true;
    o.ipn.ipn_originator.formal_name = addr("/C=XX/A= /P=TEST/O=Org/S=bob/");
    o.ipn.kind = IPN_RECEIPT;
    o.ipn.receipt_time = mhs_time_make(1795332761);
    o.ipn.discard_reason = -1;
    ber_writer_init(&w);
    assert_int_equal(ipms_object_encode(&w, &o), 0);
    assert_int_equal(ber_writer_data(&w)[0], 0xa1);
    /* choice [0] { receipt-fields [1] { receipt-time [0] ... } }, ack mode DEFAULT omitted */
    assert_true(contains(&w, "a0 11 a1 0f 80 0d 32 36"));
    assert_int_equal(ipms_object_decode(ber_writer_slice(&w), &d, &err), 0);
    assert_int_equal(d.kind, IPMS_OBJ_IPN);
    assert_int_equal(d.ipn.kind, IPN_RECEIPT);
    assert_int_equal(d.ipn.receipt_time.sec, 1795332761);
    assert_int_equal(d.ipn.acknowledgment_mode, 0);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_object, "RN");

    o.ipn.kind = IPN_NON_RECEIPT;
    o.ipn.non_receipt_reason = 1;
    o.ipn.auto_forward_comment = mhs_str_make("forwarded", 9, BER_PRINTABLE_STRING);
    ber_writer_reset(&w);
    assert_int_equal(ipms_object_encode(&w, &o), 0);
    assert_true(contains(&w, "a0 10 a0 0e 80 01 01 82 09"));
    assert_int_equal(ipms_object_decode(ber_writer_slice(&w), &d, &err), 0);
    assert_int_equal(d.ipn.kind, IPN_NON_RECEIPT);
    assert_int_equal(d.ipn.non_receipt_reason, 1);
    assert_int_equal(d.ipn.discard_reason, -1);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_object, "NRN");
    ber_writer_free(&w);
}

static void test_ipms_errors_neg(void **state)
{
    static const struct { const char *hex; size_t offset; const char *type; } cases[] = {
        { "a2 00", 0, "InformationObject" },
        /* heading without this-IPM */
        { "a0 04 31 00 30 00", 2, "Heading" },
        /* importance 7 */
        { "a0 0c 31 08 6b 03 13 01 78 8c 01 07 30 00", 9, "importance" },
        /* subject implicit (84-style) instead of [8] EXPLICIT */
        { "a0 0c 31 08 6b 03 13 01 78 88 01 41 30 00", 9, "subject" },
        /* unknown body part [20] */
        { "a0 0b 31 05 6b 03 13 01 78 30 02 94 00", 11, "BodyPart" },
        /* IPN without its choice */
        { "a1 07 6b 05 13 03 69 70 6d", 0, "IPN" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t in[64];
        size_t n = mhs_t_unhex(cases[i].hex, in);
        struct ipms_object o;
        struct ber_error err;
        int rc = ipms_object_decode(ber_slice_make(in, n), &o, &err);

        if (rc >= 0 || !err.type || err.offset != cases[i].offset || !strstr(err.type, cases[i].type))
            fail_msg("case %zu: rc %d %s at %zu: %s", i, rc, err.type ? err.type : "-", err.offset,
                     err.what ? err.what : "-");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ipms_ipm_roundtrip),
        cmocka_unit_test(test_ipms_defaults_omitted),
        cmocka_unit_test(test_ipms_message_body_part),
        cmocka_unit_test(test_ipms_ipn),
        cmocka_unit_test(test_ipms_errors_neg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
