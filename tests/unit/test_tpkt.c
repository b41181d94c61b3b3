/* Unit tests of asn1/tpkt.[ch]: RFC 1006 TPKT framing and X.224 class 0 TPDUs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include "asn1/tpkt.h"

/* Frame 4 of shared/testdata/isode-loopback.pcap: ISODE's CR (options C6,
 * called TSAP 0080, TPDU size 2048), and frame 6, the CC that answered it. */
static const uint8_t isode_cr[] = { 0x03, 0x00, 0x00, 0x15, 0x10, 0xe0, 0x00, 0x00, 0x4e, 0xca, 0x00,
                                    0xc6, 0x01, 0x01, 0xc2, 0x02, 0x00, 0x80, 0xc0, 0x01, 0x0b };
static const uint8_t isode_cc[] = { 0x03, 0x00, 0x00, 0x11, 0x0c, 0xd0, 0x4e, 0xca, 0x4e,
                                    0xcb, 0x00, 0xc6, 0x01, 0x01, 0xc0, 0x01, 0x0b };
/* Frame 8: a DT with EOT carrying "hello-osi\n". */
static const uint8_t isode_dt[] = { 0x03, 0x00, 0x00, 0x11, 0x02, 0xf0, 0x80, 'h', 'e',
                                    'l',  'l',  'o',  '-',  'o',  's',  'i',  '\n' };

static int decode_tpkt(const uint8_t *buf, size_t len, struct x224_tpdu *t, struct x400ms_error *err)
{
    size_t n = 0;
    int rc = tpkt_peek(buf, len, TPKT_MAX_LEN, &n, err);
    if (rc)
        return rc;
    assert_int_equal(n, len);
    return x224_decode(buf + TPKT_HEADER_LEN, n - TPKT_HEADER_LEN, t, err);
}

static void test_tpkt_isode_cr(void **state)
{
    struct x224_tpdu t;
    struct x400ms_error err;
    (void)state;
    assert_int_equal(decode_tpkt(isode_cr, sizeof isode_cr, &t, &err), 0);
    assert_int_equal(t.code, X224_CR);
    assert_int_equal(t.dst_ref, 0);
    assert_int_equal(t.src_ref, 0x4eca);
    assert_int_equal(t.class_option, 0);
    assert_true(t.has_options);
    assert_int_equal(t.options, 1);
    assert_true(t.has_called);
    assert_false(t.has_calling);
    assert_int_equal(t.called_tsel_len, 2);
    assert_memory_equal(t.called_tsel, "\x00\x80", 2);
    assert_int_equal(t.tpdu_size, 2048);
    assert_int_equal(t.pref_tpdu_size, 0);
    assert_int_equal(t.data_len, 0);
}

static void test_tpkt_isode_cc(void **state)
{
    struct x224_tpdu t;
    struct x400ms_error err;
    (void)state;
    assert_int_equal(decode_tpkt(isode_cc, sizeof isode_cc, &t, &err), 0);
    assert_int_equal(t.code, X224_CC);
    assert_int_equal(t.dst_ref, 0x4eca);
    assert_int_equal(t.src_ref, 0x4ecb);
    assert_int_equal(t.tpdu_size, 2048);
    assert_false(t.has_called);
}

static void test_tpkt_isode_dt(void **state)
{
    struct x224_tpdu t;
    struct x400ms_error err;
    (void)state;
    assert_int_equal(decode_tpkt(isode_dt, sizeof isode_dt, &t, &err), 0);
    assert_int_equal(t.code, X224_DT);
    assert_true(t.eot);
    assert_int_equal(t.data_len, 10);
    assert_memory_equal(t.data, "hello-osi\n", 10);
}

static void test_tpkt_cr_roundtrip(void **state)
{
    uint8_t buf[300];
    struct x224_tpdu in = { .code = X224_CR, .src_ref = 0x1234, .tpdu_size = 8192,
                            .pref_tpdu_size = 65408, .has_calling = true, .has_called = true,
                            .calling_tsel = (const uint8_t *)"client", .calling_tsel_len = 6,
                            .called_tsel = (const uint8_t *)"\x00\x01", .called_tsel_len = 2 };
    struct x224_tpdu out;
    struct x400ms_error err;
    size_t n;
    (void)state;

    n = x224_encode(buf, sizeof buf, &in);
    assert_true(n > 0);
    /* TPKT header: version 3, length of the whole TPKT. */
    assert_int_equal(buf[0], 3);
    assert_int_equal((size_t)(buf[2] << 8 | buf[3]), n);
    /* LI = header length - 1, and there is no user data. */
    assert_int_equal(buf[4] + 1, n - TPKT_HEADER_LEN);
    assert_int_equal(decode_tpkt(buf, n, &out, &err), 0);
    assert_int_equal(out.code, X224_CR);
    assert_int_equal(out.src_ref, 0x1234);
    assert_int_equal(out.tpdu_size, 8192);
    assert_int_equal(out.pref_tpdu_size, 65408);
    assert_int_equal(out.calling_tsel_len, 6);
    assert_memory_equal(out.calling_tsel, "client", 6);
    assert_int_equal(out.called_tsel_len, 2);
    assert_memory_equal(out.called_tsel, "\x00\x01", 2);
    assert_false(out.has_options);
}

static void test_tpkt_cc_roundtrip(void **state)
{
    uint8_t buf[100];
    struct x224_tpdu in = { .code = X224_CC, .dst_ref = 0x4eca, .src_ref = 0x0101,
                            .tpdu_size = 1024, .has_options = true, .options = 0 };
    struct x224_tpdu out;
    struct x400ms_error err;
    size_t n;
    (void)state;

    n = x224_encode(buf, sizeof buf, &in);
    assert_int_equal(n, 4 + 7 + 3 + 3);
    assert_int_equal(decode_tpkt(buf, n, &out, &err), 0);
    assert_int_equal(out.code, X224_CC);
    assert_int_equal(out.dst_ref, 0x4eca);
    assert_int_equal(out.src_ref, 0x0101);
    assert_int_equal(out.tpdu_size, 1024);
    assert_true(out.has_options);
    assert_int_equal(out.options, 0);
}

static void test_tpkt_dr_roundtrip(void **state)
{
    static const uint8_t expect[] = { 0x03, 0x00, 0x00, 0x0b, 0x06, 0x80, 0x12, 0x34, 0x00, 0x07, 0x03 };
    uint8_t buf[100];
    struct x224_tpdu in = { .code = X224_DR, .dst_ref = 0x1234, .src_ref = 7,
                            .reason = X224_DR_ADDRESS_UNKNOWN };
    struct x224_tpdu out;
    struct x400ms_error err;
    size_t n;
    (void)state;

    n = x224_encode(buf, sizeof buf, &in);
    assert_int_equal(n, sizeof expect);
    assert_memory_equal(buf, expect, sizeof expect);
    assert_int_equal(decode_tpkt(buf, n, &out, &err), 0);
    assert_int_equal(out.code, X224_DR);
    assert_int_equal(out.reason, X224_DR_ADDRESS_UNKNOWN);
}

static void test_tpkt_er_roundtrip(void **state)
{
    static const uint8_t bad[] = { 0x02, 0x10, 0x80 };
    uint8_t buf[100];
    struct x224_tpdu in = { .code = X224_ER, .dst_ref = 0x4eca, .cause = X224_ER_INVALID_TPDU_TYPE,
                            .info = bad, .info_len = sizeof bad };
    struct x224_tpdu out;
    struct x400ms_error err;
    size_t n;
    (void)state;

    n = x224_encode(buf, sizeof buf, &in);
    assert_int_equal(n, 4 + 5 + 2 + 3);
    assert_int_equal(decode_tpkt(buf, n, &out, &err), 0);
    assert_int_equal(out.code, X224_ER);
    assert_int_equal(out.dst_ref, 0x4eca);
    assert_int_equal(out.cause, X224_ER_INVALID_TPDU_TYPE);
    assert_int_equal(out.info_len, 3);
    assert_memory_equal(out.info, bad, 3);
}

static void test_tpkt_dt_header(void **state)
{
    uint8_t buf[X224_DT_OVERHEAD + 5];
    struct x224_tpdu t;
    struct x400ms_error err;
    (void)state;

    x224_put_dt_header(buf, 5, false);
    memcpy(buf + X224_DT_OVERHEAD, "abcde", 5);
    assert_int_equal(decode_tpkt(buf, sizeof buf, &t, &err), 0);
    assert_int_equal(t.code, X224_DT);
    assert_false(t.eot);
    assert_int_equal(t.data_len, 5);
    x224_put_dt_header(buf, 5, true);
    assert_int_equal(decode_tpkt(buf, sizeof buf, &t, &err), 0);
    assert_true(t.eot);
}

static void test_tpkt_size_code(void **state)
{
    (void)state;
    assert_int_equal(x224_tpdu_size_code(127), 0);
    assert_int_equal(x224_tpdu_size_code(128), 7);
    assert_int_equal(x224_tpdu_size_code(2047), 10);
    assert_int_equal(x224_tpdu_size_code(2048), 11);
    assert_int_equal(x224_tpdu_size_code(65531), 13);
}

static void test_tpkt_peek_partial(void **state)
{
    size_t n = 0;
    struct x400ms_error err;
    (void)state;
    /* Every prefix of a TPKT asks for more bytes. */
    for (size_t i = 0; i < sizeof isode_dt; i++)
        assert_int_equal(tpkt_peek(isode_dt, i, TPKT_MAX_LEN, &n, &err), X400MS_EAGAIN);
    assert_int_equal(tpkt_peek(isode_dt, sizeof isode_dt, TPKT_MAX_LEN, &n, &err), 0);
    assert_int_equal(n, sizeof isode_dt);
}

static void test_tpkt_peek_length_0_neg(void **state)
{
    static const uint8_t b[] = { 3, 0, 0, 0 };
    size_t n;
    struct x400ms_error err;
    (void)state;
    assert_int_equal(tpkt_peek(b, sizeof b, TPKT_MAX_LEN, &n, &err), X400MS_EPROTO);
    assert_non_null(strstr(err.message, "length 0"));
}

static void test_tpkt_peek_length_3_neg(void **state)
{
    static const uint8_t b[] = { 3, 0, 0, 3, 2, 0xf0, 0x80 };
    size_t n;
    struct x400ms_error err;
    (void)state;
    assert_int_equal(tpkt_peek(b, sizeof b, TPKT_MAX_LEN, &n, &err), X400MS_EPROTO);
    assert_non_null(strstr(err.message, "length 3"));
}

static void test_tpkt_peek_length_65535(void **state)
{
    static uint8_t b[65535];
    size_t n = 0;
    struct x224_tpdu t;
    struct x400ms_error err;
    (void)state;
    x224_put_dt_header(b, sizeof b - X224_DT_OVERHEAD, true);
    assert_int_equal(b[2], 0xff);
    assert_int_equal(b[3], 0xff);
    assert_int_equal(tpkt_peek(b, sizeof b - 1, TPKT_MAX_LEN, &n, &err), X400MS_EAGAIN);
    assert_int_equal(tpkt_peek(b, sizeof b, TPKT_MAX_LEN, &n, &err), 0);
    assert_int_equal(n, 65535);
    assert_int_equal(x224_decode(b + 4, n - 4, &t, &err), 0);
    assert_int_equal(t.data_len, 65535 - 7);
}

static void test_tpkt_peek_oversize_neg(void **state)
{
    static const uint8_t b[] = { 3, 0, 0x20, 0x08 };
    size_t n;
    struct x400ms_error err;
    (void)state;
    /* 8200 octets against a limit of 8192 + 7: over by one. */
    assert_int_equal(tpkt_peek(b, sizeof b, 8199, &n, &err), X400MS_ELIMIT);
    assert_non_null(strstr(err.message, "8200"));
    assert_int_equal(tpkt_peek(b, sizeof b, 8200, &n, &err), X400MS_EAGAIN);
}

static void test_tpkt_peek_version_neg(void **state)
{
    static const uint8_t b[] = { 'G', 'E', 'T', ' ' };
    size_t n;
    struct x400ms_error err;
    (void)state;
    /* A wrong first octet is an error at once, before the header is complete. */
    assert_int_equal(tpkt_peek(b, 1, TPKT_MAX_LEN, &n, &err), X400MS_EPROTO);
    assert_non_null(strstr(err.message, "version 0x47"));
}

static void test_tpkt_truncated_neg(void **state)
{
    struct x224_tpdu t;
    struct x400ms_error err;
    (void)state;
    /* Every truncation of the CR's TPDU (header cut short) is malformed. */
    for (size_t len = 0; len < sizeof isode_cr - TPKT_HEADER_LEN; len++) {
        int rc = x224_decode(isode_cr + TPKT_HEADER_LEN, len, &t, &err);
        assert_int_equal(rc, X400MS_EPROTO);
    }
}

static void test_tpkt_bad_li_neg(void **state)
{
    uint8_t b[sizeof isode_cr];
    struct x224_tpdu t;
    struct x400ms_error err;
    (void)state;

    memcpy(b, isode_cr, sizeof b);
    b[4] = 0xff; /* reserved */
    assert_int_equal(x224_decode(b + 4, sizeof b - 4, &t, &err), X400MS_EPROTO);
    assert_non_null(strstr(err.message, "255 is reserved"));
    b[4] = 0x04; /* shorter than the CR's fixed part */
    assert_int_equal(x224_decode(b + 4, sizeof b - 4, &t, &err), X400MS_EPROTO);
    assert_non_null(strstr(err.message, "fixed part"));
    b[4] = 0x0f; /* cuts the last parameter in half */
    assert_int_equal(x224_decode(b + 4, sizeof b - 4, &t, &err), X400MS_EPROTO);
    assert_non_null(strstr(err.message, "parameter length"));
    b[4] = 0; /* zero */
    assert_int_equal(x224_decode(b + 4, sizeof b - 4, &t, &err), X400MS_EPROTO);
}

static void test_tpkt_dt_li_neg(void **state)
{
    static const uint8_t b[] = { 4, 0xf0, 0x80, 0, 0, 'x' };
    struct x224_tpdu t;
    struct x400ms_error err;
    (void)state;
    assert_int_equal(x224_decode(b, sizeof b, &t, &err), X400MS_EPROTO);
    assert_non_null(strstr(err.message, "X.224 DT"));
}

static void test_tpkt_unknown_type_neg(void **state)
{
    static const uint8_t b[] = { 2, 0x30, 0x80 };
    static const uint8_t ed[] = { 2, 0x10, 0x80, 'x' };
    struct x224_tpdu t;
    struct x400ms_error err;
    (void)state;
    assert_int_equal(x224_decode(b, sizeof b, &t, &err), X400MS_EPROTO);
    assert_int_equal(t.cause, X224_ER_INVALID_TPDU_TYPE);
    assert_non_null(strstr(err.message, "unknown TPDU type"));
    /* ED exists (RFC 1006 expedited) but is not negotiated by this class 0. */
    assert_int_equal(x224_decode(ed, sizeof ed, &t, &err), X400MS_ENOTSUP);
    assert_int_equal(t.code, X224_ED);
    assert_int_equal(t.cause, X224_ER_INVALID_TPDU_TYPE);
}

static void test_tpkt_bad_param_neg(void **state)
{
    /* CR with TPDU size code 14 (16384: not defined) and then 0x06 (64). */
    uint8_t b[] = { 9, 0xe0, 0, 0, 0, 1, 0, 0xc0, 1, 14 };
    struct x224_tpdu t;
    struct x400ms_error err;
    (void)state;
    assert_int_equal(x224_decode(b, sizeof b, &t, &err), X400MS_EPROTO);
    assert_int_equal(t.cause, X224_ER_INVALID_PARAM_VALUE);
    assert_non_null(strstr(err.message, "TPDU size"));
    assert_non_null(strstr(err.message, "offset 7"));
    b[9] = 6;
    assert_int_equal(x224_decode(b, sizeof b, &t, &err), X400MS_EPROTO);
    b[9] = 13;
    assert_int_equal(x224_decode(b, sizeof b, &t, &err), 0);
    assert_int_equal(t.tpdu_size, 8192);
}

static void test_tpkt_unknown_param_skipped(void **state)
{
    /* CR with an unknown parameter 0x99 and a checksum (class 4 only): skipped. */
    static const uint8_t b[] = { 17, 0xe0, 0, 0, 0, 1, 0, 0x99, 2, 1, 2, 0xc3, 2, 0, 0, 0xc0, 1, 8 };
    struct x224_tpdu t;
    struct x400ms_error err;
    (void)state;
    assert_int_equal(x224_decode(b, sizeof b, &t, &err), 0);
    assert_int_equal(t.tpdu_size, 256);
}

static void test_tpkt_pref_size(void **state)
{
    /* F0 with two octets 0x01ff = 511 * 128 = 65408; with four octets of
     * 0xffffffff it saturates at the TPKT limit. */
    static const uint8_t b[] = { 10, 0xe0, 0, 0, 0, 1, 0, 0xf0, 2, 0x01, 0xff };
    static const uint8_t big[] = { 12, 0xe0, 0, 0, 0, 1, 0, 0xf0, 4, 0xff, 0xff, 0xff, 0xff };
    static const uint8_t zero[] = { 9, 0xe0, 0, 0, 0, 1, 0, 0xf0, 1, 0 };
    struct x224_tpdu t;
    struct x400ms_error err;
    (void)state;
    assert_int_equal(x224_decode(b, sizeof b, &t, &err), 0);
    assert_int_equal(t.pref_tpdu_size, 65408);
    assert_int_equal(x224_decode(big, sizeof big, &t, &err), 0);
    assert_int_equal(t.pref_tpdu_size, 65408);
    assert_int_equal(x224_decode(zero, sizeof zero, &t, &err), X400MS_EPROTO);
}

static void test_tpkt_alt_classes(void **state)
{
    /* CR proposing class 2 with class 0 as an alternative. */
    static const uint8_t b[] = { 9, 0xe0, 0, 0, 0, 1, 0x20, 0xc7, 1, 0x00 };
    struct x224_tpdu t;
    struct x400ms_error err;
    (void)state;
    assert_int_equal(x224_decode(b, sizeof b, &t, &err), 0);
    assert_int_equal(t.class_option >> 4, 2);
    assert_true(t.has_alt_classes);
    assert_int_equal(t.alt_classes, 1);
}

static void test_tpkt_encode_limits_neg(void **state)
{
    uint8_t buf[300];
    uint8_t tsel[X224_TSEL_MAX + 1];
    struct x224_tpdu cr = { .code = X224_CR, .has_called = true, .called_tsel = tsel,
                            .called_tsel_len = sizeof tsel };
    struct x224_tpdu dt = { .code = X224_DT };
    struct x224_tpdu odd = { .code = X224_CC, .tpdu_size = 1000 };
    (void)state;
    memset(tsel, 'a', sizeof tsel);
    assert_int_equal(x224_encode(buf, sizeof buf, &cr), 0);
    cr.called_tsel_len = X224_TSEL_MAX;
    assert_int_equal(x224_encode(buf, 10, &cr), 0); /* buffer too small */
    assert_true(x224_encode(buf, sizeof buf, &cr) > 0);
    assert_int_equal(x224_encode(buf, sizeof buf, &dt), 0);
    assert_int_equal(x224_encode(buf, sizeof buf, &odd), 0);
}

static void test_tpkt_er_with_data_neg(void **state)
{
    static const uint8_t b[] = { 4, 0x70, 0, 0, 2, 'x' };
    struct x224_tpdu t;
    struct x400ms_error err;
    (void)state;
    assert_int_equal(x224_decode(b, sizeof b, &t, &err), X400MS_EPROTO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tpkt_isode_cr),
        cmocka_unit_test(test_tpkt_isode_cc),
        cmocka_unit_test(test_tpkt_isode_dt),
        cmocka_unit_test(test_tpkt_cr_roundtrip),
        cmocka_unit_test(test_tpkt_cc_roundtrip),
        cmocka_unit_test(test_tpkt_dr_roundtrip),
        cmocka_unit_test(test_tpkt_er_roundtrip),
        cmocka_unit_test(test_tpkt_dt_header),
        cmocka_unit_test(test_tpkt_size_code),
        cmocka_unit_test(test_tpkt_peek_partial),
        cmocka_unit_test(test_tpkt_peek_length_0_neg),
        cmocka_unit_test(test_tpkt_peek_length_3_neg),
        cmocka_unit_test(test_tpkt_peek_length_65535),
        cmocka_unit_test(test_tpkt_peek_oversize_neg),
        cmocka_unit_test(test_tpkt_peek_version_neg),
        cmocka_unit_test(test_tpkt_truncated_neg),
        cmocka_unit_test(test_tpkt_bad_li_neg),
        cmocka_unit_test(test_tpkt_dt_li_neg),
        cmocka_unit_test(test_tpkt_unknown_type_neg),
        cmocka_unit_test(test_tpkt_bad_param_neg),
        cmocka_unit_test(test_tpkt_unknown_param_skipped),
        cmocka_unit_test(test_tpkt_pref_size),
        cmocka_unit_test(test_tpkt_alt_classes),
        cmocka_unit_test(test_tpkt_encode_limits_neg),
        cmocka_unit_test(test_tpkt_er_with_data_neg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
