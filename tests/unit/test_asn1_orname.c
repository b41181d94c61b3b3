/* Unit tests: X.411 O/R names (asn1/orname.c) and their text forms
 * (asn1/oraddr_text.c). Expected encodings are written out by hand from
 * X.411 9.1 (IMPLICIT tags), never produced by the encoder under test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "asn1/orname.h"

#define HEX_MAX 512

static size_t unhex(const char *h, uint8_t *out)
{
    size_t n = 0;
    unsigned v;

    while (*h) {
        while (*h == ' ' || *h == '\n')
            h++;
        if (!*h)
            break;
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
        h += 2;
    }
    return n;
}

static bool str_is(const struct mhs_str *s, const char *v)
{
    return mhs_str_present(s) && s->len == strlen(v) && memcmp(s->ptr, v, s->len) == 0;
}

/* /C=XX/A= /P=TEST/O=Org/S=alice/ as an [APPLICATION 0] ORName. */
static const char alice_hex[] =
    "60 23 30 21"
    " 61 04 13 02 58 58"          /* country-name [APPLICATION 1] { PrintableString "XX" } */
    " 62 03 13 01 20"             /* ADMD [APPLICATION 2] { PrintableString " " } */
    " a2 06 13 04 54 45 53 54"    /* PRMD [2] { PrintableString "TEST" } */
    " 83 03 4f 72 67"             /* organization-name [3] "Org" */
    " a5 07 80 05 61 6c 69 63 65";/* personal-name [5] { surname [0] "alice" } */

static void test_orname_parse_slash(void **state)
{
    const char *text = "/C=XX/A= /P=TEST/O=Org/OU1=Sales/OU2=North/S=alice/G=Ann/I=B/Q=III/"
                       "CN=Alice B/DDA:UID=42/";
    struct or_address a;
    struct x400ms_error err = { 0 };

    (void)state;
    assert_int_equal(or_address_parse(text, strlen(text), &a, &err), 0);
    assert_true(str_is(&a.country, "XX"));
    assert_true(str_is(&a.admd, " "));
    assert_true(str_is(&a.prmd, "TEST"));
    assert_true(str_is(&a.org, "Org"));
    assert_int_equal(a.n_ou, 2);
    assert_true(str_is(&a.ou[0], "Sales"));
    assert_true(str_is(&a.ou[1], "North"));
    assert_true(str_is(&a.surname, "alice"));
    assert_true(str_is(&a.given, "Ann"));
    assert_true(str_is(&a.initials, "B"));
    assert_true(str_is(&a.generation, "III"));
    assert_true(str_is(&a.common_name, "Alice B"));
    assert_int_equal(a.n_dda, 1);
    assert_true(str_is(&a.dda[0].type, "UID"));
    assert_true(str_is(&a.dda[0].value, "42"));
}

static void test_orname_parse_rfc1685(void **state)
{
    const char *text = "C=XX;ADMD= ;PRMD=TEST;O=Org;OU=Sales;OU=North;S=alice;X121=1234;"
                       "N-ID=5678;T-ID=term1";
    struct or_address a;
    struct x400ms_error err = { 0 };

    (void)state;
    assert_int_equal(or_address_parse(text, strlen(text), &a, &err), 0);
    assert_true(str_is(&a.country, "XX"));
    assert_true(str_is(&a.admd, " "));
    assert_true(str_is(&a.prmd, "TEST"));
    assert_int_equal(a.n_ou, 2);
    assert_true(str_is(&a.ou[1], "North"));
    assert_true(str_is(&a.x121, "1234"));
    assert_int_equal(a.x121.univ, BER_NUMERIC_STRING);
    assert_true(str_is(&a.numeric_user_id, "5678"));
    assert_true(str_is(&a.terminal_id, "term1"));
}

static void test_orname_keys_case_insensitive(void **state)
{
    const char *text = "/c=XX/a= /p=TEST/o=Org/s=alice/cn=Al/n-id=12/t-id=T/x121=9/dda:k=v/";
    struct or_address a;

    (void)state;
    assert_int_equal(or_address_parse(text, strlen(text), &a, NULL), 0);
    assert_true(str_is(&a.surname, "alice"));
    assert_true(str_is(&a.common_name, "Al"));
    assert_true(str_is(&a.numeric_user_id, "12"));
    assert_true(str_is(&a.dda[0].type, "k"));
}

static void test_orname_numeric_country(void **state)
{
    const char *text = "C=234;ADMD= ;S=x";
    struct or_address a;

    (void)state;
    assert_int_equal(or_address_parse(text, strlen(text), &a, NULL), 0);
    assert_int_equal(a.country.univ, BER_NUMERIC_STRING);
}

static void test_orname_format_both(void **state)
{
    const char *text = "/C=XX/A= /P=TEST/O=Org/S=alice/";
    struct or_address a, b;
    char buf[256];

    (void)state;
    assert_int_equal(or_address_parse(text, strlen(text), &a, NULL), 0);
    assert_int_equal(or_address_format(&a, OR_TEXT_SLASH, buf, sizeof(buf)), (int)strlen(text));
    assert_string_equal(buf, text);
    assert_true(or_address_format(&a, OR_TEXT_RFC1685, buf, sizeof(buf)) > 0);
    assert_string_equal(buf, "C=XX;ADMD= ;PRMD=TEST;O=Org;S=alice");
    assert_int_equal(or_address_parse(buf, strlen(buf), &b, NULL), 0);
    assert_true(or_address_match(&a, &b));
    assert_int_equal(or_address_format(&a, OR_TEXT_SLASH, buf, 10), X400MS_ELIMIT);
}

struct parse_case {
    const char *text;
    const char *message_part;
};

static void test_orname_parse_errors_neg(void **state)
{
    static const struct parse_case cases[] = {
        { "/C=XX/Z=1/S=a/", "unknown attribute \"Z\"" },
        { "/C=/S=a/", "country (C) is empty" },
        { "/C=XXX/S=a/", "must be 2 letters" },
        { "/C=XX/S=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/", "at most 40" },
        { "/C=XX/P=abcdefghijklmnopq/S=a/", "at most 16" },
        { "/C=XX/O=a@b/S=a/", "character '@' is not allowed" },
        { "/C=XX/X121=12a/", "only digits" },
        { "/C=XX/S=a/S=b/", "given twice" },
        { "C=XX;OU=1;OU=2;OU=3;OU=4;OU=5;S=a", "too many organizational units" },
        { "/C=XX/G=ann/", "without a surname" },
        { "/C=XX/Sx/", "expected KEY=value" },
        { "/C=XX/DDA:abcdefghi=1/S=a/", "DDA type" },
        { "/C=XX/OU2=x/S=a/", "OU2 given without OU1" },
        { "", "empty O/R address" },
        { "/C=XX/S=/", "surname (S) is empty" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct or_address a;
        struct x400ms_error err = { 0 };
        int rc = or_address_parse(cases[i].text, strlen(cases[i].text), &a, &err);

        if (rc != X400MS_EINVAL || !strstr(err.message, cases[i].message_part))
            fail_msg("case %zu \"%s\": rc %d message \"%s\", expected \"%s\"", i, cases[i].text,
                     rc, err.message, cases[i].message_part);
    }
}

static void test_orname_match(void **state)
{
    struct or_address a, b;
    const char *t1 = "/C=XX/A=ADMD1/P=TEST/O=Org/S=Alice  Smith/";
    const char *t2 = "c=xx;admd= ;prmd=test;o=ORG;s= alice smith ";
    const char *t3 = "/C=XX/A=ADMD1/P=TEST/O=Org/S=Alice Smith/G=A/";
    const char *t4 = "/C=XX/A=OTHER/P=TEST/O=Org/S=Alice Smith/";

    (void)state;
    assert_int_equal(or_address_parse(t1, strlen(t1), &a, NULL), 0);
    assert_int_equal(or_address_parse(t2, strlen(t2), &b, NULL), 0);
    assert_true(or_address_match(&a, &b));   /* case, spaces, ADMD " " */
    assert_int_equal(or_address_parse(t3, strlen(t3), &b, NULL), 0);
    assert_false(or_address_match(&a, &b));  /* G present on one side only */
    assert_int_equal(or_address_parse(t4, strlen(t4), &b, NULL), 0);
    assert_false(or_address_match(&a, &b));  /* different ADMD */
}

static void test_orname_encode_known_bytes(void **state)
{
    const char *text = "/C=XX/A= /P=TEST/O=Org/S=alice/";
    uint8_t want[HEX_MAX];
    size_t n = unhex(alice_hex, want);
    struct or_address a;
    struct ber_writer w;

    (void)state;
    assert_int_equal(or_address_parse(text, strlen(text), &a, NULL), 0);
    ber_writer_init(&w);
    assert_int_equal(or_name_encode(&w, BER_APP(0), &a), 0);
    assert_int_equal(ber_writer_len(&w), n);
    assert_memory_equal(ber_writer_data(&w), want, n);
    ber_writer_free(&w);
}

static void test_orname_decode_definite_indefinite(void **state)
{
    /* The same value with indefinite lengths on the outer levels and the
     * personal name's SET members in reverse order (any SET order is valid). */
    static const char indef_hex[] =
        "60 80 30 80"
        " 61 80 13 02 58 58 00 00"
        " 62 03 13 01 20"
        " a2 06 13 04 54 45 53 54"
        " 83 03 4f 72 67"
        " a5 0c 81 03 41 6e 6e 80 05 61 6c 69 63 65"
        " 00 00 00 00";
    uint8_t b1[HEX_MAX], b2[HEX_MAX];
    size_t n1 = unhex(alice_hex, b1), n2 = unhex(indef_hex, b2);
    struct or_address a, b;
    struct ber_error err;

    (void)state;
    assert_int_equal(or_name_decode(ber_slice_make(b1, n1), &a, &err), 0);
    assert_int_equal(or_name_decode(ber_slice_make(b2, n2), &b, &err), 0);
    assert_true(str_is(&a.country, "XX"));
    assert_true(str_is(&a.org, "Org"));
    assert_true(str_is(&b.surname, "alice"));
    assert_true(str_is(&b.given, "Ann"));
    assert_true(str_is(&b.prmd, "TEST"));
    assert_false(or_address_match(&a, &b)); /* b has a given name */
    b.given.univ = 0;
    assert_true(or_address_match(&a, &b));
}

static void test_orname_roundtrip_all_fields(void **state)
{
    const char *text = "/C=234/A=ADMD/P=12345/O=Org/OU1=a/OU2=b/OU3=c/OU4=d/S=Smith/G=John/I=JS/"
                       "Q=Jr/CN=John Smith/X121=123456/N-ID=987/T-ID=TERM/DDA:a=1/DDA:b=2/";
    struct or_address a, b;
    struct ber_writer w;
    struct ber_error err;
    char buf1[512], buf2[512];

    (void)state;
    assert_int_equal(or_address_parse(text, strlen(text), &a, NULL), 0);
    a.terminal_type = OR_TERMINAL_TELETEX;
    ber_writer_init(&w);
    assert_int_equal(or_name_encode(&w, BER_APP(0), &a), 0);
    assert_int_equal(or_name_decode(ber_writer_slice(&w), &b, &err), 0);
    assert_true(or_address_match(&a, &b));
    assert_int_equal(b.terminal_type, OR_TERMINAL_TELETEX);
    assert_true(b.ext_raw.len > 0);
    or_address_format(&a, OR_TEXT_SLASH, buf1, sizeof(buf1));
    or_address_format(&b, OR_TEXT_SLASH, buf2, sizeof(buf2));
    assert_string_equal(buf1, buf2);
    /* ORAddress (untagged SEQUENCE) as well */
    ber_writer_reset(&w);
    assert_int_equal(or_address_encode(&w, &a), 0);
    assert_int_equal(ber_writer_data(&w)[0], 0x30);
    assert_int_equal(or_address_decode(ber_writer_slice(&w), &b, &err), 0);
    assert_true(or_address_match(&a, &b));
    ber_writer_free(&w);
}

static void test_orname_unknown_ext_attr_preserved(void **state)
{
    /* ORName with extension-attributes: common-name "Al" and an attribute the
     * codec does not interpret (8, physical-delivery-country-name "DE"), and a
     * directory name [0] { SEQUENCE {} } kept raw. */
    static const char hex[] =
        "60 2a 30 0a 61 04 13 02 58 58 62 02 13 00"
        " 31 18"
        "  30 09 80 01 08 a1 04 13 02 44 45"
        "  30 0b 80 01 01 a1 06 13 04 41 6c 20 20"
        " a0 02 30 00";
    uint8_t in[HEX_MAX];
    size_t n = unhex(hex, in);
    struct or_address a;
    struct ber_writer w;
    struct ber_error err;

    (void)state;
    assert_int_equal(or_name_decode(ber_slice_make(in, n), &a, &err), 0);
    assert_true(str_is(&a.common_name, "Al  "));
    assert_true(str_is(&a.admd, ""));
    assert_int_equal(a.dn_raw.len, 2);
    ber_writer_init(&w);
    assert_int_equal(or_name_encode(&w, BER_APP(0), &a), 0);
    /* Re-encoded byte for byte, unknown attribute and its SET order included. */
    assert_int_equal(ber_writer_len(&w), n);
    assert_memory_equal(ber_writer_data(&w), in, n);
    ber_writer_free(&w);
}

struct dec_case {
    const char *hex;
    int code;
    size_t offset;
    const char *type_part;
};

static void test_orname_decode_errors_neg(void **state)
{
    static const struct dec_case cases[] = {
        /* wrong outer tag */
        { "30 04 30 02 83 00", X400MS_EPROTO, 0, "ORName" },
        /* truncated: length says 0x23, 4 octets present */
        { "60 23 30 21", X400MS_EPROTO, 0, "" },
        /* country of 4 letters */
        { "60 08 30 06 61 04 13 02 58 58", 0, 0, NULL }, /* valid control */
        { "60 0a 30 08 61 06 13 04 58 58 58 58", X400MS_EPROTO, 6, "country-name" },
        /* personal name without surname */
        { "60 09 30 07 a5 05 81 03 41 6e 6e", X400MS_EPROTO, 4, "personal-name" },
        /* bad PrintableString char '@' in organization */
        { "60 07 30 05 83 03 61 40 62", X400MS_EPROTO, 4, "organization-name" },
        /* five OUs */
        { "60 13 30 11 a6 0f 13 01 61 13 01 62 13 01 63 13 01 64 13 01 65", X400MS_EPROTO, 18,
          "organizational-unit" },
        /* length past end of enclosing value */
        { "60 06 30 04 83 05 61 62", X400MS_EPROTO, 4, "" },
        /* unexpected member in standard attributes */
        { "60 05 30 03 87 01 41", X400MS_EPROTO, 4, "built-in-standard-attributes" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t in[HEX_MAX];
        size_t n = unhex(cases[i].hex, in);
        struct or_address a;
        struct ber_error err;
        int rc = or_name_decode(ber_slice_make(in, n), &a, &err);

        if (rc != cases[i].code)
            fail_msg("case %zu: rc %d, expected %d (%s at %zu: %s)", i, rc, cases[i].code,
                     err.type ? err.type : "-", err.offset, err.what ? err.what : "-");
        if (rc == 0)
            continue;
        assert_non_null(err.type);
        if (!strstr(err.type, cases[i].type_part) || err.offset != cases[i].offset)
            fail_msg("case %zu: error \"%s\" at %zu (%s), expected \"%s\" at %zu", i, err.type,
                     err.offset, err.what, cases[i].type_part, cases[i].offset);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orname_parse_slash),
        cmocka_unit_test(test_orname_parse_rfc1685),
        cmocka_unit_test(test_orname_keys_case_insensitive),
        cmocka_unit_test(test_orname_numeric_country),
        cmocka_unit_test(test_orname_format_both),
        cmocka_unit_test(test_orname_parse_errors_neg),
        cmocka_unit_test(test_orname_match),
        cmocka_unit_test(test_orname_encode_known_bytes),
        cmocka_unit_test(test_orname_decode_definite_indefinite),
        cmocka_unit_test(test_orname_roundtrip_all_fields),
        cmocka_unit_test(test_orname_unknown_ext_attr_preserved),
        cmocka_unit_test(test_orname_decode_errors_neg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
