/* Unit tests of the BER runtime (asn1/ber.h). */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "asn1/ber.h"
#include "asn1/oid.h"

#define B(...) ((const uint8_t[]){ __VA_ARGS__ })
#define BLEN(...) sizeof((const uint8_t[]){ __VA_ARGS__ })

/* Decodes a SEQUENCE { INTEGER, BOOLEAN, [0] EXPLICIT OCTET STRING } in any
 * length form and returns what it found. */
struct sample { int64_t i; bool b; char s[16]; };

static int decode_sample(const uint8_t *buf, size_t len, struct sample *out, struct ber_error *e)
{
    struct ber_ctx c;
    struct ber_tlv top, t, inner;
    struct ber_iter it;
    struct ber_str s;
    int rc;

    ber_ctx_init(&c, buf, len, e);
    if ((rc = ber_decode_top(&c, &top, "Sample")) < 0)
        return rc;
    if ((rc = ber_enter(&c, &top, &it, "Sample")) < 0)
        return rc;
    if ((rc = ber_expect(&it, BER_UNIV(BER_INTEGER), &t, "Sample.i")) < 0 ||
        (rc = ber_get_int64(&c, &t, "Sample.i", &out->i)) < 0)
        return rc;
    if ((rc = ber_expect(&it, BER_UNIV(BER_BOOLEAN), &t, "Sample.b")) < 0 ||
        (rc = ber_get_bool(&c, &t, "Sample.b", &out->b)) < 0)
        return rc;
    if ((rc = ber_expect(&it, BER_CTX(0), &t, "Sample.s")) < 0 ||
        (rc = ber_explicit(&c, &t, &inner, "Sample.s")) < 0 ||
        (rc = ber_get_str(&c, &inner, "Sample.s", BER_OCTET_STRING, &s)) < 0 ||
        (rc = ber_str_copy(&s, out->s, sizeof(out->s), NULL)) < 0)
        return rc;
    return ber_end(&it, "Sample");
}

static void test_ber_definite_indefinite_mixed_same_value(void **state)
{
    (void)state;
    static const uint8_t definite[] = { 0x30, 0x0d, 0x02, 0x01, 0x05, 0x01, 0x01, 0xff,
                                        0xa0, 0x05, 0x04, 0x03, 'a', 'b', 'c' };
    static const uint8_t indefinite[] = { 0x30, 0x80, 0x02, 0x01, 0x05, 0x01, 0x01, 0xff,
                                          0xa0, 0x80, 0x24, 0x80, 0x04, 0x02, 'a', 'b',
                                          0x04, 0x01, 'c', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };
    static const uint8_t mixed[] = { 0x30, 0x80, 0x02, 0x01, 0x05, 0x01, 0x01, 0xff,
                                     0xa0, 0x09, 0x24, 0x80, 0x04, 0x03, 'a', 'b', 'c', 0x00, 0x00,
                                     0x00, 0x00 };
    static const uint8_t long_form[] = { 0x30, 0x82, 0x00, 0x0f, 0x02, 0x81, 0x01, 0x05, 0x01, 0x01,
                                         0xff, 0xa0, 0x06, 0x04, 0x81, 0x03, 'a', 'b', 'c' };
    const struct { const uint8_t *p; size_t n; } forms[] = {
        { definite, sizeof(definite) }, { indefinite, sizeof(indefinite) },
        { mixed, sizeof(mixed) }, { long_form, sizeof(long_form) },
    };
    for (size_t i = 0; i < 4; i++) {
        struct sample s = { 0, false, "" };
        struct ber_error e;
        int rc = decode_sample(forms[i].p, forms[i].n, &s, &e);
        assert_int_equal(rc, 0);
        assert_int_equal(s.i, 5);
        assert_true(s.b);
        assert_string_equal(s.s, "abc");
    }
}

static void test_ber_asn1c_mixed_case(void **state)
{
    (void)state;
    /* DESIGN.md 6: the form asn1c rejects. [5] { BOOLEAN TRUE } indefinite. */
    struct ber_ctx c;
    struct ber_error e;
    struct ber_tlv t, inner;
    bool v = false;
    const uint8_t *in = B(0xa5, 0x80, 0x01, 0x01, 0xff, 0x00, 0x00);
    ber_ctx_init(&c, in, 7, &e);
    assert_int_equal(ber_decode_top(&c, &t, "T"), 0);
    assert_int_equal(t.tag, BER_CTX(5));
    assert_true(t.indefinite);
    assert_int_equal(t.len, 3);
    assert_int_equal(t.total, 7);
    assert_int_equal(ber_explicit(&c, &t, &inner, "T"), 0);
    assert_int_equal(ber_get_bool(&c, &inner, "T", &v), 0);
    assert_true(v);
}

static void test_ber_tag_classes_and_high_numbers(void **state)
{
    (void)state;
    struct ber_ctx c;
    struct ber_tlv t;
    struct ber_iter it;
    /* [APPLICATION 128] prim, [PRIVATE 3] cons, [UNIVERSAL 31] prim, [30] ctx */
    const uint8_t *in = B(0x5f, 0x81, 0x00, 0x00, 0xe3, 0x00, 0x1f, 0x1f, 0x00, 0x9e, 0x01, 0x07);
    ber_ctx_init(&c, in, 12, NULL);
    ber_iter_init(&it, &c);
    assert_int_equal(ber_next(&it, &t), 1);
    assert_int_equal(t.tag, BER_APP(128));
    assert_false(t.constructed);
    assert_int_equal(ber_next(&it, &t), 1);
    assert_int_equal(t.tag, BER_PRIV(3));
    assert_true(t.constructed);
    assert_int_equal(ber_next(&it, &t), 1);
    assert_int_equal(t.tag, BER_UNIV(31));
    assert_int_equal(ber_next(&it, &t), 1);
    assert_int_equal(t.tag, BER_CTX(30));
    assert_int_equal(t.len, 1);
    assert_int_equal(t.val[0], 7);
    assert_int_equal(ber_next(&it, &t), 0);

    /* and the writer produces the same identifiers */
    struct ber_writer w;
    ber_writer_init(&w);
    ber_put_int64(&w, BER_CTX(30), 7);
    ber_put_null(&w, BER_UNIV(31));
    ber_mark_t m = ber_mark(&w);
    ber_wrap(&w, m, BER_PRIV(3), true);
    ber_put_octets(&w, BER_APP(128), NULL, 0);
    assert_int_equal(w.error, 0);
    assert_int_equal(ber_writer_len(&w), 12);
    assert_memory_equal(ber_writer_data(&w), in, 12);
    ber_writer_free(&w);
}

static void test_ber_set_any_order_find(void **state)
{
    (void)state;
    /* SET { [2] 1, [0] 2, [1] 3 } */
    const uint8_t *in = B(0x31, 0x09, 0x82, 0x01, 0x01, 0x80, 0x01, 0x02, 0x81, 0x01, 0x03);
    struct ber_ctx c;
    struct ber_tlv top, t;
    struct ber_iter it;
    int64_t v;
    ber_ctx_init(&c, in, 11, NULL);
    assert_int_equal(ber_decode_top(&c, &top, "S"), 0);
    assert_int_equal(ber_enter(&c, &top, &it, "S"), 0);
    for (unsigned n = 0; n < 3; n++) {
        assert_int_equal(ber_find(&it, BER_CTX(n), &t), 1);
        assert_int_equal(ber_get_int64(&c, &t, "S", &v), 0);
        assert_int_equal(v, (int64_t)(n == 0 ? 2 : n == 1 ? 3 : 1));
    }
    assert_int_equal(ber_find(&it, BER_CTX(3), &t), 0);
    /* optional: next is [2], so [0] is "not here" */
    assert_int_equal(ber_optional(&it, BER_CTX(0), &t), 0);
    assert_int_equal(ber_optional(&it, BER_CTX(2), &t), 1);
}

static void test_ber_integers_round_trip(void **state)
{
    (void)state;
    const int64_t values[] = { 0, 1, -1, 127, 128, -128, -129, 255, 256, 32767, -32768, 65535,
                               INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, 2147483648LL };
    const size_t expect_len[] = { 1, 1, 1, 1, 2, 1, 2, 2, 2, 2, 2, 3, 4, 4, 8, 8, 5 };
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        struct ber_writer w;
        struct ber_ctx c;
        struct ber_tlv t;
        int64_t back;
        ber_writer_init(&w);
        assert_int_equal(ber_put_int64(&w, BER_UNIV(BER_INTEGER), values[i]), 0);
        assert_int_equal(ber_writer_len(&w), 2 + expect_len[i]);
        ber_ctx_init(&c, ber_writer_data(&w), ber_writer_len(&w), NULL);
        assert_int_equal(ber_decode_top(&c, &t, "I"), 0);
        assert_int_equal(ber_get_int64(&c, &t, "I", &back), 0);
        assert_true(back == values[i]);
        ber_writer_free(&w);
    }
    /* 128 is 02 02 00 80 */
    struct ber_writer w;
    ber_writer_init(&w);
    ber_put_int64(&w, BER_UNIV(BER_INTEGER), 128);
    assert_memory_equal(ber_writer_data(&w), B(0x02, 0x02, 0x00, 0x80), 4);
    ber_writer_free(&w);
}

static void test_ber_integer_too_large_neg(void **state)
{
    (void)state;
    struct ber_ctx c;
    struct ber_error e;
    struct ber_tlv t;
    int64_t v;
    int32_t v32;
    struct ber_slice raw;
    const uint8_t *in = B(0x02, 0x09, 0x01, 0, 0, 0, 0, 0, 0, 0, 0);
    ber_ctx_init(&c, in, 11, &e);
    assert_int_equal(ber_decode_top(&c, &t, "Big"), 0);
    assert_int_equal(ber_get_int64(&c, &t, "Big", &v), X400MS_ELIMIT);
    assert_string_equal(e.type, "Big");
    assert_int_equal(ber_get_integer_raw(&c, &t, "Big", &raw), 0);
    assert_int_equal(raw.len, 9);

    const uint8_t *in2 = B(0x02, 0x05, 0x01, 0, 0, 0, 0);
    ber_ctx_init(&c, in2, 7, &e);
    assert_int_equal(ber_decode_top(&c, &t, "I32"), 0);
    assert_int_equal(ber_get_int32(&c, &t, "I32", &v32), X400MS_EPROTO);
    assert_string_equal(e.what, "integer out of range");

    const uint8_t *in3 = B(0x02, 0x00);
    ber_ctx_init(&c, in3, 2, &e);
    assert_int_equal(ber_decode_top(&c, &t, "I"), 0);
    assert_int_equal(ber_get_int64(&c, &t, "I", &v), X400MS_EPROTO);
}

static void test_ber_truncated_neg(void **state)
{
    (void)state;
    struct ber_ctx c;
    struct ber_error e;
    struct ber_tlv t;
    struct sample s;
    /* SEQUENCE says 13 octets, 4 follow */
    const uint8_t *in = B(0x30, 0x0d, 0x02, 0x01, 0x05, 0x01);
    assert_int_equal(decode_sample(in, 6, &s, &e), X400MS_EPROTO);
    assert_string_equal(e.type, "Sample");
    assert_string_equal(e.what, "length past end");
    assert_int_equal(e.offset, 0);

    /* an inner value running past its SEQUENCE */
    const uint8_t *in2 = B(0x30, 0x05, 0x02, 0x01, 0x05, 0x01, 0x02);
    assert_int_equal(decode_sample(in2, 7, &s, &e), X400MS_EPROTO);
    assert_int_equal(e.offset, 5);
    assert_string_equal(e.what, "length past end");
    assert_string_equal(e.type, "Sample.b");

    /* header cut inside the long-form length */
    const uint8_t *in3 = B(0x04, 0x82, 0x01);
    ber_ctx_init(&c, in3, 3, &e);
    assert_int_equal(ber_decode_top(&c, &t, "Octets"), X400MS_EPROTO);
    assert_string_equal(e.what, "truncated header");
    assert_string_equal(e.type, "Octets");

    /* indefinite without end-of-contents */
    const uint8_t *in4 = B(0x30, 0x80, 0x02, 0x01, 0x05);
    ber_ctx_init(&c, in4, 5, &e);
    assert_int_equal(ber_decode_top(&c, &t, "Seq"), X400MS_EPROTO);
    assert_int_equal(e.offset, 5);
    assert_string_equal(e.what, "truncated (no end-of-contents)");

    char msg[128];
    ber_error_format(&e, msg, sizeof(msg));
    assert_string_equal(msg, "Seq at offset 5: truncated (no end-of-contents)");
}

static void test_ber_length_limits_neg(void **state)
{
    (void)state;
    struct ber_ctx c;
    struct ber_error e;
    struct ber_tlv t;
    /* 2^31 length */
    const uint8_t *in = B(0x04, 0x84, 0x80, 0x00, 0x00, 0x00, 0x41);
    ber_ctx_init(&c, in, 7, &e);
    assert_int_equal(ber_decode_top(&c, &t, "Huge"), X400MS_ELIMIT);
    assert_string_equal(e.type, "Huge");
    assert_int_equal(e.offset, 0);
    /* 2^31 length with the size limit lifted: past end */
    ber_ctx_init(&c, in, 7, &e);
    c.max_size = SIZE_MAX;
    assert_int_equal(ber_decode_top(&c, &t, "Huge"), X400MS_EPROTO);
    assert_string_equal(e.what, "length past end");
    /* overlong: 9 length octets */
    const uint8_t *in2 = B(0x04, 0x89, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0x41);
    ber_ctx_init(&c, in2, 12, &e);
    assert_int_equal(ber_decode_top(&c, &t, "Overlong"), X400MS_ELIMIT);
    assert_string_equal(e.type, "Overlong");
    /* reserved 0xFF */
    const uint8_t *in3 = B(0x04, 0xff, 0x00);
    ber_ctx_init(&c, in3, 3, &e);
    assert_int_equal(ber_decode_top(&c, &t, "Reserved"), X400MS_EPROTO);
    /* primitive with indefinite length */
    const uint8_t *in4 = B(0x04, 0x80, 0x00, 0x00);
    ber_ctx_init(&c, in4, 4, &e);
    assert_int_equal(ber_decode_top(&c, &t, "PrimIndef"), X400MS_EPROTO);
    assert_string_equal(e.what, "indefinite length on a primitive value");
    /* tag number with leading 0x80 */
    const uint8_t *in5 = B(0x5f, 0x80, 0x01, 0x00);
    ber_ctx_init(&c, in5, 4, &e);
    assert_int_equal(ber_decode_top(&c, &t, "Tag"), X400MS_EPROTO);
    /* trailing octets */
    const uint8_t *in6 = B(0x05, 0x00, 0x05);
    ber_ctx_init(&c, in6, 3, &e);
    assert_int_equal(ber_decode_top(&c, &t, "Null"), X400MS_EPROTO);
    assert_int_equal(e.offset, 2);
}

static void test_ber_wrong_tag_neg(void **state)
{
    (void)state;
    struct sample s;
    struct ber_error e;
    /* BOOLEAN where the INTEGER belongs */
    const uint8_t *in = B(0x30, 0x06, 0x01, 0x01, 0xff, 0x01, 0x01, 0xff);
    assert_int_equal(decode_sample(in, 8, &s, &e), X400MS_EPROTO);
    assert_string_equal(e.type, "Sample.i");
    assert_string_equal(e.what, "wrong tag");
    assert_int_equal(e.offset, 2);
    /* missing last member */
    const uint8_t *in2 = B(0x30, 0x06, 0x02, 0x01, 0x05, 0x01, 0x01, 0xff);
    assert_int_equal(decode_sample(in2, 8, &s, &e), X400MS_EPROTO);
    assert_string_equal(e.type, "Sample.s");
    assert_string_equal(e.what, "missing");
    assert_int_equal(e.offset, 8);
}

static void test_ber_depth_bomb_neg(void **state)
{
    (void)state;
    /* 200 nested indefinite SEQUENCEs */
    uint8_t buf[800];
    size_t n = 0;
    for (int i = 0; i < 200; i++) {
        buf[n++] = 0x30;
        buf[n++] = 0x80;
    }
    for (int i = 0; i < 200; i++) {
        buf[n++] = 0;
        buf[n++] = 0;
    }
    struct ber_ctx c;
    struct ber_error e;
    struct ber_tlv t;
    ber_ctx_init(&c, buf, n, &e);
    assert_int_equal(ber_decode_top(&c, &t, "Bomb"), X400MS_ELIMIT);
    assert_string_equal(e.what, "nesting too deep");
    assert_int_equal(e.offset, 2 * BER_DEFAULT_MAX_DEPTH);
    assert_string_equal(e.type, "Bomb");

    /* the same depth with definite lengths: fails when entered too deep */
    n = 0;
    for (int i = 0; i < 100; i++) {
        size_t inner_len = 4 * (size_t)(99 - i);
        buf[n++] = 0x30;
        buf[n++] = 0x82;
        buf[n++] = (uint8_t)(inner_len >> 8);
        buf[n++] = (uint8_t)inner_len;
    }
    ber_ctx_init(&c, buf, n, &e);
    struct ber_iter it;
    ber_iter_init(&it, &c);
    int rc;
    unsigned depth = 0;
    while ((rc = ber_next(&it, &t)) == 1) {
        rc = ber_enter(&c, &t, &it, "Deep");
        if (rc < 0)
            break;
        depth++;
    }
    assert_int_equal(rc, X400MS_ELIMIT);
    assert_int_equal(depth, BER_DEFAULT_MAX_DEPTH);
}

static void test_ber_eoc_misplaced_neg(void **state)
{
    (void)state;
    struct ber_ctx c;
    struct ber_error e;
    struct ber_tlv t, inner;
    struct ber_iter it;
    const uint8_t *in = B(0x30, 0x04, 0x00, 0x00, 0x05, 0x00);
    ber_ctx_init(&c, in, 6, &e);
    assert_int_equal(ber_decode_top(&c, &t, "S"), 0);
    assert_int_equal(ber_enter(&c, &t, &it, "S"), 0);
    assert_int_equal(ber_next(&it, &inner), X400MS_EPROTO);
    assert_string_equal(e.what, "unexpected end-of-contents");
    assert_int_equal(e.offset, 2);
}

static void test_ber_strings(void **state)
{
    (void)state;
    struct ber_ctx c;
    struct ber_error e;
    struct ber_tlv t;
    struct ber_str s;
    char buf[8];
    size_t n;

    /* segmented PrintableString [APPLICATION 1] with a nested segment */
    const uint8_t *in = B(0x73, 0x80, 0x04, 0x02, 'U', 'K', 0x24, 0x03, 0x04, 0x01, ' ', 0x00, 0x00);
    ber_ctx_init(&c, in, 13, &e);
    assert_int_equal(ber_decode_top(&c, &t, "Country"), 0);
    assert_int_equal(ber_get_str(&c, &t, "Country", BER_PRINTABLE_STRING, &s), 0);
    assert_true(s.segmented);
    assert_int_equal(s.nbytes, 3);
    assert_int_equal(ber_str_copy(&s, buf, sizeof(buf), &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(buf, "UK ");
    assert_int_equal(ber_str_copy(&s, buf, 2, &n), X400MS_ELIMIT);
    struct ber_slice sl;
    assert_int_equal(ber_get_str_slice(&c, &t, "Country", BER_PRINTABLE_STRING, &sl), X400MS_EPROTO);

    /* bad character in PrintableString */
    const uint8_t *in2 = B(0x13, 0x02, 'a', '@');
    ber_ctx_init(&c, in2, 4, &e);
    assert_int_equal(ber_decode_top(&c, &t, "P"), 0);
    assert_int_equal(ber_get_str(&c, &t, "P", BER_PRINTABLE_STRING, &s), X400MS_EPROTO);
    assert_string_equal(e.what, "character not allowed in PrintableString");
    /* the same octets are fine as IA5 and Teletex */
    assert_int_equal(ber_get_str(&c, &t, "P", BER_IA5_STRING, &s), 0);
    assert_int_equal(ber_get_str(&c, &t, "P", BER_TELETEX_STRING, &s), 0);
    assert_false(s.segmented);
    assert_int_equal(ber_get_str(&c, &t, "P", BER_NUMERIC_STRING, &s), X400MS_EPROTO);
    /* BMP odd length */
    assert_int_equal(ber_get_str(&c, &t, "P", BER_BMP_STRING, &s), 0);
    const uint8_t *in3 = B(0x1e, 0x03, 0, 'a', 0);
    ber_ctx_init(&c, in3, 5, &e);
    assert_int_equal(ber_decode_top(&c, &t, "B"), 0);
    assert_int_equal(ber_get_str(&c, &t, "B", BER_BMP_STRING, &s), X400MS_EPROTO);
    /* segment with a wrong tag */
    const uint8_t *in4 = B(0x24, 0x03, 0x13, 0x01, 'a');
    ber_ctx_init(&c, in4, 5, &e);
    assert_int_equal(ber_decode_top(&c, &t, "O"), 0);
    assert_int_equal(ber_get_str(&c, &t, "O", BER_OCTET_STRING, &s), X400MS_EPROTO);
    assert_int_equal(e.offset, 2);

    assert_true(ber_is_printable((const uint8_t *)"Ab 9'()+,-./:=?", 15));
    assert_false(ber_is_printable((const uint8_t *)"a_b", 3));
    assert_true(ber_is_numeric((const uint8_t *)"12 3", 4));
    assert_false(ber_is_visible((const uint8_t *)"a\nb", 3));
}

static void test_ber_oid_text(void **state)
{
    (void)state;
    uint8_t buf[64];
    char text[128];
    int n = ber_oid_from_text("2.6.0.1.4", buf, sizeof(buf));
    assert_int_equal(n, 4);
    assert_memory_equal(buf, B(0x56, 0x00, 0x01, 0x04), 4);
    assert_true(ber_oid_eq(ber_slice_make(buf, (size_t)n), oid_ac_ms_access_88));
    assert_int_equal(ber_oid_to_text(oid_ac_ms_access_88, text, sizeof(text)), 9);
    assert_string_equal(text, "2.6.0.1.4");
    /* large arcs and the 2.x > 39 rule */
    n = ber_oid_from_text("2.999.3", buf, sizeof(buf));
    assert_int_equal(n, 3);
    assert_memory_equal(buf, B(0x88, 0x37, 0x03), 3);
    assert_int_equal(ber_oid_to_text(ber_slice_make(buf, 3), text, sizeof(text)), 7);
    assert_string_equal(text, "2.999.3");
    n = ber_oid_from_text("1.2.840.113549.1.1.11", buf, sizeof(buf));
    assert_int_equal(n, 9);
    assert_int_equal(ber_oid_to_text(ber_slice_make(buf, 9), text, sizeof(text)), 21);
    assert_string_equal(text, "1.2.840.113549.1.1.11");
    /* bad text */
    assert_int_equal(ber_oid_from_text("1.40", buf, sizeof(buf)), X400MS_EINVAL);
    assert_int_equal(ber_oid_from_text("3.1", buf, sizeof(buf)), X400MS_EINVAL);
    assert_int_equal(ber_oid_from_text("1", buf, sizeof(buf)), X400MS_EINVAL);
    assert_int_equal(ber_oid_from_text("1.2.", buf, sizeof(buf)), X400MS_EINVAL);
    assert_int_equal(ber_oid_from_text("1.02", buf, sizeof(buf)), X400MS_EINVAL);
    assert_int_equal(ber_oid_from_text("1.2.3", buf, 1), X400MS_ELIMIT);
    assert_int_equal(ber_oid_to_text(oid_ac_ms_access_88, text, 5), X400MS_ELIMIT);
    /* ordering by arcs: 2.6.0.1.4 < 2.6.0.1.12 < 2.6.4 */
    assert_true(ber_oid_cmp(oid_ac_ms_access_88, oid_ac_ms_reliable_access_94) < 0);
    assert_true(ber_oid_cmp(oid_ac_ms_reliable_access_94, oid_ac_ms_access_88) > 0);
    assert_true(ber_oid_cmp(oid_ac_ms_access_88, oid_ac_ms_access_88) == 0);
    assert_true(ber_oid_cmp(oid_ac, oid_ac_ms_access_88) < 0);
    /* the table */
    assert_string_equal(oid_name(oid_acse_as), "acse-as-id");
    assert_non_null(oid_lookup("id-att-priority"));
    assert_true(ber_oid_eq(*oid_lookup("2.6.4.3.31")->oid, oid_ms_att_priority));
    for (size_t i = 0; i < oid_table_len; i++) {
        assert_true(ber_oid_to_text(*oid_table[i].oid, text, sizeof(text)) > 0);
        assert_string_equal(text, oid_table[i].text);
    }

    /* decoding validation */
    struct ber_ctx c;
    struct ber_error e;
    struct ber_tlv t;
    struct ber_slice o;
    ber_ctx_init(&c, B(0x06, 0x02, 0x80, 0x01), 4, &e);
    assert_int_equal(ber_decode_top(&c, &t, "O"), 0);
    assert_int_equal(ber_get_oid(&c, &t, "O", &o), X400MS_EPROTO);
    ber_ctx_init(&c, B(0x06, 0x02, 0x2b, 0x81), 4, &e);
    assert_int_equal(ber_decode_top(&c, &t, "O"), 0);
    assert_int_equal(ber_get_oid(&c, &t, "O", &o), X400MS_EPROTO);
    assert_string_equal(e.what, "OID ends inside a subidentifier");
}

static void test_ber_bits(void **state)
{
    (void)state;
    struct ber_writer w;
    struct ber_ctx c;
    struct ber_tlv t;
    uint32_t mask;
    ber_writer_init(&w);
    /* version1 (bit 0) only: 03 02 07 80 (X.690 11.2.2: trailing zeros removed) */
    ber_put_bits_u32(&w, BER_CTX(0), 1u << 0);
    assert_memory_equal(ber_writer_data(&w), B(0x80, 0x02, 0x07, 0x80), 4);
    ber_writer_reset(&w);
    ber_put_bits_u32(&w, BER_UNIV(BER_BIT_STRING), 0);
    assert_memory_equal(ber_writer_data(&w), B(0x03, 0x01, 0x00), 3);
    ber_writer_reset(&w);
    ber_put_bits_u32(&w, BER_UNIV(BER_BIT_STRING), (1u << 9) | (1u << 1));
    ber_ctx_init(&c, ber_writer_data(&w), ber_writer_len(&w), NULL);
    assert_int_equal(ber_decode_top(&c, &t, "B"), 0);
    assert_int_equal(ber_get_bits_u32(&c, &t, "B", &mask), 0);
    assert_int_equal(mask, (1u << 9) | (1u << 1));
    ber_writer_free(&w);
    /* segmented: 23 80 03 02 00 a0 03 02 04 f0 00 00 -> bits 1010 0000 1111 */
    const uint8_t *in = B(0x23, 0x80, 0x03, 0x02, 0x00, 0xa0, 0x03, 0x02, 0x04, 0xf0, 0x00, 0x00);
    uint8_t out[4];
    size_t nbits;
    ber_ctx_init(&c, in, 12, NULL);
    assert_int_equal(ber_decode_top(&c, &t, "B"), 0);
    assert_int_equal(ber_get_bits(&c, &t, "B", out, sizeof(out), &nbits), 0);
    assert_int_equal(nbits, 12);
    assert_int_equal(out[0], 0xa0);
    assert_int_equal(out[1], 0xf0);
    assert_int_equal(ber_get_bits_u32(&c, &t, "B", &mask), 0);
    assert_int_equal(mask, (1u << 0) | (1u << 2) | (1u << 8) | (1u << 9) | (1u << 10) | (1u << 11));
    /* bad unused count */
    struct ber_error e;
    ber_ctx_init(&c, B(0x03, 0x02, 0x08, 0x00), 4, &e);
    assert_int_equal(ber_decode_top(&c, &t, "B"), 0);
    assert_int_equal(ber_get_bits_u32(&c, &t, "B", &mask), X400MS_EPROTO);
}

static void test_ber_times(void **state)
{
    (void)state;
    struct ber_ctx c;
    struct ber_error e;
    struct ber_tlv t;
    struct ber_time tm;
    struct ber_writer w;
    /* 261122073241Z: the Common Reference of the ISODE capture's CN */
    const uint8_t *in = B(0x17, 0x0d, '2', '6', '1', '1', '2', '2', '0', '7', '3', '2', '4', '1', 'Z');
    ber_ctx_init(&c, in, 15, &e);
    assert_int_equal(ber_decode_top(&c, &t, "T"), 0);
    assert_int_equal(ber_get_utctime(&c, &t, "T", &tm), 0);
    assert_int_equal((int64_t)tm.sec, 1795332761LL); /* date -u -d 2026-11-22T07:32:41Z +%s */
    ber_writer_init(&w);
    ber_put_utctime(&w, BER_UNIV(BER_UTC_TIME), tm.sec);
    assert_int_equal(ber_writer_len(&w), 15);
    assert_memory_equal(ber_writer_data(&w), in, 15);
    ber_writer_reset(&w);
    /* GeneralizedTime with fraction and offset */
    const char *g = "20240229123456.25+0130";
    const uint8_t *gin = (const uint8_t *)g;
    uint8_t buf[32];
    buf[0] = 0x18;
    buf[1] = (uint8_t)strlen(g);
    memcpy(buf + 2, gin, strlen(g));
    ber_ctx_init(&c, buf, 2 + strlen(g), &e);
    assert_int_equal(ber_decode_top(&c, &t, "G"), 0);
    assert_int_equal(ber_get_gentime(&c, &t, "G", &tm), 0);
    assert_int_equal((int64_t)tm.sec, 1709210096LL - 5400); /* 2024-02-29T12:34:56Z - 1h30 */
    assert_int_equal(tm.nsec, 250000000u);
    ber_put_gentime(&w, BER_UNIV(BER_GENERALIZED_TIME), tm.sec, tm.nsec);
    assert_memory_equal(ber_writer_data(&w) + 2, "20240229110456.25Z", 18);
    ber_writer_free(&w);
    /* minutes-only UTCTime with offset */
    ber_ctx_init(&c, B(0x17, 0x0f, '9', '9', '1', '2', '3', '1', '2', '3', '5', '9', '-', '0', '1', '0', '0'), 17, &e);
    assert_int_equal(ber_decode_top(&c, &t, "U"), 0);
    assert_int_equal(ber_get_utctime(&c, &t, "U", &tm), 0);
    assert_int_equal((int64_t)tm.sec, 946688340LL); /* 2000-01-01T00:59:00Z */
    /* invalid: Feb 30, no zone in UTCTime, letters */
    ber_ctx_init(&c, B(0x17, 0x0b, '2', '4', '0', '2', '3', '0', '1', '2', '0', '0', 'Z'), 13, &e);
    assert_int_equal(ber_decode_top(&c, &t, "U"), 0);
    assert_int_equal(ber_get_utctime(&c, &t, "U", &tm), X400MS_EPROTO);
    ber_ctx_init(&c, B(0x17, 0x0a, '2', '4', '0', '2', '2', '0', '1', '2', '0', '0'), 12, &e);
    assert_int_equal(ber_decode_top(&c, &t, "U"), 0);
    assert_int_equal(ber_get_utctime(&c, &t, "U", &tm), X400MS_EPROTO);
    /* GeneralizedTime without zone: local, taken as UTC and flagged */
    ber_ctx_init(&c, B(0x18, 0x0a, '2', '0', '2', '4', '0', '1', '0', '1', '0', '0'), 12, &e);
    assert_int_equal(ber_decode_top(&c, &t, "G"), 0);
    assert_int_equal(ber_get_gentime(&c, &t, "G", &tm), 0);
    assert_true(tm.no_zone);
    assert_int_equal((int64_t)tm.sec, 1704067200LL);
}

static void test_ber_frame_streaming(void **state)
{
    (void)state;
    const uint8_t in[] = { 0x30, 0x80, 0x04, 0x82, 0x00, 0x03, 'a', 'b', 'c', 0x30, 0x02, 0x05, 0x00,
                           0x00, 0x00, 0xff };
    size_t total = 0;
    /* every proper prefix needs more bytes, the full value is found */
    for (size_t n = 0; n < 15; n++)
        assert_int_equal(ber_frame(in, n, 0, 0, &total, NULL), X400MS_EAGAIN);
    assert_int_equal(ber_frame(in, 15, 0, 0, &total, NULL), 0);
    assert_int_equal(total, 15);
    assert_int_equal(ber_frame(in, 16, 0, 0, &total, NULL), 0);
    assert_int_equal(total, 15);
    /* too large is known from the header alone */
    struct ber_error e;
    assert_int_equal(ber_frame(B(0x30, 0x83, 0x10, 0x00, 0x00), 5, 4096, 0, &total, &e), X400MS_ELIMIT);
    assert_int_equal(ber_frame(B(0x30, 0xff), 2, 0, 0, &total, &e), X400MS_EPROTO);
}

static void test_ber_writer_nested_and_fixed(void **state)
{
    (void)state;
    struct ber_writer w;
    /* SEQUENCE { OID 2.6.0.1.4, [3] EXPLICIT SEQUENCE { NULL } } built backwards */
    ber_writer_init(&w);
    ber_mark_t seq = ber_mark(&w);
    ber_mark_t m3 = ber_mark(&w);
    ber_mark_t inner = ber_mark(&w);
    ber_put_null(&w, BER_UNIV(BER_NULL));
    ber_wrap(&w, inner, BER_UNIV(BER_SEQUENCE), true);
    ber_wrap(&w, m3, BER_CTX(3), true);
    ber_put_oid(&w, BER_UNIV(BER_OID), oid_ac_ms_access_88);
    assert_int_equal(ber_wrap(&w, seq, BER_UNIV(BER_SEQUENCE), true), 0);
    const uint8_t right[] = { 0x30, 0x0c, 0x06, 0x04, 0x56, 0x00, 0x01, 0x04, 0xa3, 0x04, 0x30, 0x02,
                              0x05, 0x00 };
    assert_int_equal(ber_writer_len(&w), sizeof(right));
    assert_memory_equal(ber_writer_data(&w), right, sizeof(right));

    /* long lengths and growth: 300-octet OCTET STRING and a 70000-octet one */
    uint8_t *big = calloc(1, 70000);
    ber_writer_reset(&w);
    ber_put_octets(&w, BER_UNIV(BER_OCTET_STRING), big, 300);
    assert_memory_equal(ber_writer_data(&w), B(0x04, 0x82, 0x01, 0x2c), 4);
    ber_writer_reset(&w);
    ber_put_octets(&w, BER_UNIV(BER_OCTET_STRING), big, 70000);
    assert_memory_equal(ber_writer_data(&w), B(0x04, 0x83, 0x01, 0x11, 0x70), 5);
    size_t len;
    uint8_t *taken = ber_writer_take(&w, &len);
    assert_non_null(taken);
    assert_int_equal(len, 70005);
    assert_int_equal(ber_writer_len(&w), 0);
    free(taken);
    free(big);
    ber_writer_free(&w);

    /* a fixed buffer that is too small: sticky ELIMIT */
    uint8_t small[4];
    ber_writer_init_fixed(&w, small, sizeof(small));
    assert_int_equal(ber_put_int64(&w, BER_UNIV(BER_INTEGER), 1), 0);
    assert_int_equal(ber_put_int64(&w, BER_UNIV(BER_INTEGER), 2), X400MS_ELIMIT);
    assert_int_equal(ber_put_null(&w, BER_UNIV(BER_NULL)), X400MS_ELIMIT);
    assert_int_equal(w.error, X400MS_ELIMIT);
    assert_int_equal(ber_put_oid_text(&w, BER_UNIV(BER_OID), "x"), X400MS_ELIMIT);
    ber_writer_init(&w);
    assert_int_equal(ber_put_oid_text(&w, BER_UNIV(BER_OID), "x"), X400MS_EINVAL);
    ber_writer_free(&w);
}

static void test_ber_error_to_x400ms(void **state)
{
    (void)state;
    struct ber_error e = { X400MS_EPROTO, 17, "AARQ-apdu", "wrong tag" };
    struct x400ms_error err;
    assert_int_equal(ber_error_to_x400ms(&e, &err, "peer 127.0.0.1"), X400MS_EPROTO);
    assert_string_equal(err.message, "peer 127.0.0.1: AARQ-apdu at offset 17: wrong tag");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ber_definite_indefinite_mixed_same_value),
        cmocka_unit_test(test_ber_asn1c_mixed_case),
        cmocka_unit_test(test_ber_tag_classes_and_high_numbers),
        cmocka_unit_test(test_ber_set_any_order_find),
        cmocka_unit_test(test_ber_integers_round_trip),
        cmocka_unit_test(test_ber_integer_too_large_neg),
        cmocka_unit_test(test_ber_truncated_neg),
        cmocka_unit_test(test_ber_length_limits_neg),
        cmocka_unit_test(test_ber_wrong_tag_neg),
        cmocka_unit_test(test_ber_depth_bomb_neg),
        cmocka_unit_test(test_ber_eoc_misplaced_neg),
        cmocka_unit_test(test_ber_strings),
        cmocka_unit_test(test_ber_oid_text),
        cmocka_unit_test(test_ber_bits),
        cmocka_unit_test(test_ber_times),
        cmocka_unit_test(test_ber_frame_streaming),
        cmocka_unit_test(test_ber_writer_nested_and_fixed),
        cmocka_unit_test(test_ber_error_to_x400ms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
