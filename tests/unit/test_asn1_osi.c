/* Unit tests of the OSI upper-layer codecs: session SPDUs (asn1/spdu.h),
 * presentation (asn1/pres.h), ACSE (asn1/acse.h), ROSE (asn1/ros.h), RTSE
 * (asn1/rtse.h). Decoder tests run on real ISODE frames (tests/vectors/);
 * encoder output is checked by tshark when $TSHARK is set. */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asn1/acse.h"
#include "asn1/ber.h"
#include "asn1/oid.h"
#include "asn1/pres.h"
#include "asn1/ros.h"
#include "asn1/rtse.h"
#include "asn1/spdu.h"
#include "tests/lib/x4pcap.h"

#define B(...) ((const uint8_t[]){ __VA_ARGS__ })

/* ---- helpers ---- */

/* Loads tests/vectors/NAME.hex (lines starting with '#' are comments). */
static size_t load_vector(const char *name, uint8_t *buf, size_t size)
{
    const char *top = getenv("X400MS_TOP_SRCDIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/tests/vectors/%s.hex", top ? top : ".", name);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    char line[4096];
    size_t n = 0;
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '#')
            continue;
        for (char *p = line; p[0] && p[1];) {
            unsigned v;
            if (p[0] == '\n' || p[0] == ' ') {
                p++;
                continue;
            }
            if (sscanf(p, "%2x", &v) != 1)
                break;
            assert_true(n < size);
            buf[n++] = (uint8_t)v;
            p += 2;
        }
    }
    fclose(f);
    assert_true(n > 0);
    return n;
}

static char *oid_text(struct ber_slice oid)
{
    static char buf[4][128];
    static int k;
    char *b = buf[k++ & 3];
    if (ber_oid_to_text(oid, b, 128) < 0)
        strcpy(b, "?");
    return b;
}

/* Decodes the single-ASN1-type value of a PDV and returns its ber_tlv. */
static void pdv_tlv(const struct pres_pdv *pdv, struct ber_ctx *c, struct ber_tlv *t)
{
    assert_int_equal(pdv->encoding, PRES_SINGLE_ASN1_TYPE);
    ber_ctx_init(c, pdv->value.ptr, pdv->value.len, NULL);
    assert_int_equal(ber_decode_top(c, t, "value"), 0);
}

/* ---- ISODE vectors ---- */

static void test_osi_isode_cn_cp_aarq(void **state)
{
    (void)state;
    static uint8_t buf[4096];
    struct spdu s[4];
    size_t n, len = load_vector("ses-cn-cp-aarq", buf, sizeof(buf));
    struct ber_error e;
    assert_int_equal(spdu_decode_tsdu(buf, len, 0, s, 4, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(s[0].type, SPDU_CN);
    assert_int_equal(s[0].session_requirements, 0x07ff);
    assert_int_equal(s[0].tsdu_max_to_responder, 2041);
    assert_int_equal(s[0].tsdu_max_to_initiator, 2041);
    assert_int_equal(s[0].version, SPDU_VERSION_1 | SPDU_VERSION_2);
    assert_int_equal(s[0].token_setting, 0xaa);
    assert_int_equal(s[0].common_ref.len, 16);
    assert_memory_equal(s[0].initial_serial.ptr, "20174", 5);
    assert_int_equal(s[0].user_data.len, 261);
    assert_false(s[0].extended_user_data);

    static struct pres_connect cp;
    assert_int_equal(pres_decode_cp(s[0].user_data.ptr, s[0].user_data.len, &cp, &e), 0);
    assert_int_equal(cp.mode, 1);
    assert_int_equal(cp.protocol_version, PRES_VERSION_1);
    assert_int_equal(cp.ncontexts, 10);
    assert_int_equal(cp.contexts[9].id, 19);
    assert_true(ber_oid_eq(cp.contexts[9].abstract_syntax, oid_acse_as));
    assert_true(ber_oid_eq(cp.contexts[0].transfer_syntax[0], oid_ber));
    assert_true(cp.has_default_context);
    assert_string_equal(oid_text(cp.default_abstract_syntax), "1.17.0.1.1");
    assert_int_equal(cp.user_data.npdv, 1);
    assert_int_equal(cp.user_data.pdv[0].context_id, 19);

    struct ber_ctx c;
    struct ber_tlv t;
    pdv_tlv(&cp.user_data.pdv[0], &c, &t);
    static struct acse_apdu a;
    assert_int_equal(acse_decode(cp.user_data.pdv[0].value.ptr, cp.user_data.pdv[0].value.len, &a, &e), 0);
    assert_int_equal(a.type, ACSE_AARQ);
    assert_string_equal(oid_text(a.context_name), "1.17.0.1.1");
    struct ber_slice title;
    assert_int_equal(acse_title_form2(a.called_ap_title, &title), 0);
    assert_string_equal(oid_text(title), "1.17.4.0.2");
    assert_int_equal(a.user_info.n, 3);
    assert_true(a.user_info.ext[1].has_indirect_reference);
    assert_int_equal(a.user_info.ext[1].indirect_reference, 3);
    assert_true(ber_oid_eq(a.user_info.ext[1].direct_reference, oid_ber));

    /* re-encoding what was decoded gives a value that decodes the same
     * (ISODE used indefinite lengths; our output is definite) */
    struct ber_writer w;
    ber_writer_init(&w);
    assert_int_equal(acse_encode(&w, &a), 0);
    static struct acse_apdu a2;
    assert_int_equal(acse_decode(ber_writer_data(&w), ber_writer_len(&w), &a2, &e), 0);
    assert_true(ber_slice_eq(a2.context_name, a.context_name));
    assert_true(ber_slice_eq(a2.called_ap_title, a.called_ap_title));
    assert_int_equal(a2.user_info.n, 3);
    for (size_t i = 0; i < 3; i++)
        assert_true(ber_slice_eq(a2.user_info.ext[i].value, a.user_info.ext[i].value));
    ber_writer_reset(&w);
    assert_int_equal(pres_encode_cp(&w, &cp), 0);
    static struct pres_connect cp2;
    assert_int_equal(pres_decode_cp(ber_writer_data(&w), ber_writer_len(&w), &cp2, &e), 0);
    assert_int_equal(cp2.ncontexts, 10);
    assert_true(ber_slice_eq(cp2.user_data.pdv[0].value, cp.user_data.pdv[0].value));
    ber_writer_reset(&w);
    assert_int_equal(spdu_encode(&w, &s[0]), 0);
    struct spdu s2[2];
    assert_int_equal(spdu_decode_tsdu(ber_writer_data(&w), ber_writer_len(&w), 0, s2, 2, &n, &e), 0);
    assert_int_equal(s2[0].session_requirements, 0x07ff);
    assert_true(ber_slice_eq(s2[0].user_data, s[0].user_data));
    assert_true(ber_slice_eq(s2[0].common_ref, s[0].common_ref));
    /* our SPDU is byte-identical to ISODE's but for the length indicator
     * form (ISODE used FF 01 3F although 0x13F needs it anyway) */
    assert_int_equal(ber_writer_len(&w), len);
    assert_memory_equal(ber_writer_data(&w), buf, len);
    ber_writer_free(&w);
}

static void test_osi_isode_ac_cpa_aare(void **state)
{
    (void)state;
    static uint8_t buf[4096];
    struct spdu s[2];
    size_t n, len = load_vector("ses-ac-cpa-aare", buf, sizeof(buf));
    struct ber_error e;
    assert_int_equal(spdu_decode_tsdu(buf, len, 0, s, 2, &n, &e), 0);
    assert_int_equal(s[0].type, SPDU_AC);
    assert_int_equal(s[0].session_requirements, 0x07fd);
    static struct pres_connect cpa;
    assert_int_equal(pres_decode_cpa(s[0].user_data.ptr, s[0].user_data.len, &cpa, &e), 0);
    assert_int_equal(cpa.nresults, 10);
    for (size_t i = 0; i < 10; i++)
        assert_int_equal(cpa.results[i].result, PRES_ACCEPTANCE);
    assert_true(ber_oid_eq(cpa.results[9].transfer_syntax, oid_ber));
    const struct pres_pdv *pdv = pres_find_pdv(&cpa.user_data, 19);
    assert_non_null(pdv);
    static struct acse_apdu a;
    assert_int_equal(acse_decode(pdv->value.ptr, pdv->value.len, &a, &e), 0);
    assert_int_equal(a.type, ACSE_AARE);
    assert_int_equal(a.result, ACSE_ACCEPTED);
    assert_int_equal(a.diagnostic_source, ACSE_DIAG_SERVICE_USER);
    assert_int_equal(a.diagnostic, ACSE_USER_NULL);
}

static void test_osi_isode_release(void **state)
{
    (void)state;
    static uint8_t buf[1024];
    struct spdu s[2];
    size_t n, len;
    struct ber_error e;
    struct pres_user_data ud;
    static struct acse_apdu a;
    const char *names[] = { "ses-fn-rlrq", "ses-dn-rlre", "ses-fn-rlrq-2", "ses-dn-rlre-2" };
    for (int i = 0; i < 4; i++) {
        len = load_vector(names[i], buf, sizeof(buf));
        assert_int_equal(spdu_decode_tsdu(buf, len, 0, s, 2, &n, &e), 0);
        assert_int_equal(n, 1);
        assert_int_equal(s[0].type, i % 2 ? SPDU_DN : SPDU_FN);
        if (i % 2 == 0)
            assert_int_equal(s[0].transport_disconnect, SPDU_TD_RELEASED);
        assert_int_equal(pres_decode_user_data(s[0].user_data.ptr, s[0].user_data.len, &ud, &e), 0);
        assert_int_equal(ud.npdv, 1);
        assert_int_equal(ud.pdv[0].context_id, i < 2 ? 19 : 19);
        assert_int_equal(acse_decode(ud.pdv[0].value.ptr, ud.pdv[0].value.len, &a, &e), 0);
        assert_int_equal(a.type, i % 2 ? ACSE_RLRE : ACSE_RLRQ);
        assert_true(a.has_reason);
        assert_int_equal(a.reason, ACSE_RELEASE_NORMAL);
        assert_true(a.user_info.present);
        /* and the SPDU re-encodes byte for byte */
        struct ber_writer w;
        ber_writer_init(&w);
        assert_int_equal(spdu_encode(&w, &s[0]), 0);
        assert_int_equal(ber_writer_len(&w), len);
        assert_memory_equal(ber_writer_data(&w), buf, len);
        ber_writer_free(&w);
    }
}

static void test_osi_isode_rtse_association(void **state)
{
    (void)state;
    static uint8_t buf[4096];
    struct spdu s[2];
    size_t n, len = load_vector("ses-cn-cp-aarq-rtorq", buf, sizeof(buf));
    struct ber_error e;
    static struct pres_connect cp;
    static struct acse_apdu a;
    assert_int_equal(spdu_decode_tsdu(buf, len, 0, s, 2, &n, &e), 0);
    assert_int_equal(s[0].type, SPDU_CN);
    assert_int_equal(pres_decode_cp(s[0].user_data.ptr, s[0].user_data.len, &cp, &e), 0);
    const struct pres_pdv *pdv = &cp.user_data.pdv[0];
    assert_int_equal(acse_decode(pdv->value.ptr, pdv->value.len, &a, &e), 0);
    assert_int_equal(a.type, ACSE_AARQ);
    /* The RTORQ travels in an EXTERNAL of the AARQ user-information */
    bool found = false;
    for (size_t i = 0; i < a.user_info.n; i++) {
        struct rtse_apdu r;
        if (a.user_info.ext[i].encoding != ACSE_EXT_SINGLE_ASN1_TYPE)
            continue;
        if (rtse_decode(a.user_info.ext[i].value.ptr, a.user_info.ext[i].value.len, &r, &e) == 0 &&
            r.type == RTSE_RTORQ) {
            found = true;
            assert_false(r.recover);
            assert_non_null(r.connection_data.ptr);
        }
    }
    assert_true(found);

    len = load_vector("ses-ac-cpa-aare-rtoac", buf, sizeof(buf));
    assert_int_equal(spdu_decode_tsdu(buf, len, 0, s, 2, &n, &e), 0);
    assert_int_equal(pres_decode_cpa(s[0].user_data.ptr, s[0].user_data.len, &cp, &e), 0);
    pdv = &cp.user_data.pdv[0];
    assert_int_equal(acse_decode(pdv->value.ptr, pdv->value.len, &a, &e), 0);
    assert_int_equal(a.type, ACSE_AARE);
    found = false;
    for (size_t i = 0; i < a.user_info.n; i++) {
        struct rtse_apdu r;
        if (rtse_decode(a.user_info.ext[i].value.ptr, a.user_info.ext[i].value.len, &r, &e) == 0 &&
            r.type == RTSE_RTOAC)
            found = true;
    }
    assert_true(found);
}

static void test_osi_isode_tokens_and_activities(void **state)
{
    (void)state;
    static uint8_t buf[1024];
    struct spdu s[4];
    size_t n, len;
    struct ber_error e;
    struct pres_user_data ud;
    struct rtse_apdu r;

    len = load_vector("ses-pt-rttp", buf, sizeof(buf));
    assert_int_equal(spdu_decode_tsdu(buf, len, 0, s, 4, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(s[0].type, SPDU_PT);
    assert_int_equal(s[0].token_item, 1);
    assert_int_equal(pres_decode_user_data(s[0].user_data.ptr, s[0].user_data.len, &ud, &e), 0);
    assert_int_equal(rtse_decode(ud.pdv[0].value.ptr, ud.pdv[0].value.len, &r, &e), 0);
    assert_int_equal(r.type, RTSE_RTTP);
    assert_int_equal(r.priority, 1);

    len = load_vector("ses-gtc", buf, sizeof(buf));
    assert_int_equal(spdu_decode_tsdu(buf, len, 0, s, 4, &n, &e), 0);
    assert_int_equal(s[0].type, SPDU_GTC);
    len = load_vector("ses-gta", buf, sizeof(buf));
    assert_int_equal(spdu_decode_tsdu(buf, len, 0, s, 4, &n, &e), 0);
    assert_int_equal(s[0].type, SPDU_GTA);

    len = load_vector("ses-gt-as", buf, sizeof(buf));
    assert_int_equal(spdu_decode_tsdu(buf, len, SPDU_F_ACTIVITY, s, 4, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(s[0].type, SPDU_GT);
    assert_int_equal(s[1].type, SPDU_AS);
    assert_memory_equal(s[1].activity_id.ptr, B(0x02, 0x01, 0x01), 3);

    len = load_vector("ses-gt-dt-rttr", buf, sizeof(buf));
    assert_int_equal(spdu_decode_tsdu(buf, len, 0, s, 4, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(s[0].type, SPDU_GT);
    assert_int_equal(s[1].type, SPDU_DT);
    assert_int_equal(pres_decode_user_data(s[1].user_data.ptr, s[1].user_data.len, &ud, &e), 0);
    assert_int_equal(ud.pdv[0].context_id, 17);
    assert_int_equal(rtse_decode(ud.pdv[0].value.ptr, ud.pdv[0].value.len, &r, &e), 0);
    assert_int_equal(r.type, RTSE_RTTR);
    assert_int_equal(r.transfer_data.len, 12);
    /* GT + DT re-encoded with the convenience function is byte-identical */
    struct ber_writer w;
    ber_writer_init(&w);
    spdu_encode_gt_dt(&w, s[1].user_data);
    assert_int_equal(ber_writer_len(&w), len);
    assert_memory_equal(ber_writer_data(&w), buf, len);

    len = load_vector("ses-gt-ae", buf, sizeof(buf));
    assert_int_equal(spdu_decode_tsdu(buf, len, SPDU_F_ACTIVITY, s, 4, &n, &e), 0);
    assert_int_equal(s[1].type, SPDU_AE);
    assert_memory_equal(s[1].serial_number.ptr, "1", 1);
    assert_int_equal(spdu_decode_tsdu(buf, len, 0, s, 4, &n, &e), 0);
    assert_int_equal(s[1].type, SPDU_MAP);

    len = load_vector("ses-pt-aea", buf, sizeof(buf));
    assert_int_equal(spdu_decode_tsdu(buf, len, SPDU_F_ACTIVITY, s, 4, &n, &e), 0);
    assert_int_equal(s[0].type, SPDU_PT);
    assert_int_equal(s[1].type, SPDU_AEA);
    /* concatenated re-encode: category 2 first (backwards writer) */
    ber_writer_reset(&w);
    assert_int_equal(spdu_encode(&w, &s[1]), 0);
    assert_int_equal(spdu_encode(&w, &s[0]), 0);
    assert_int_equal(ber_writer_len(&w), len);
    assert_memory_equal(ber_writer_data(&w), buf, len);
    ber_writer_free(&w);
}

/* ---- session round trips and errors ---- */

static void test_osi_spdu_round_trip_all_types(void **state)
{
    (void)state;
    const uint8_t ud[] = { 0x61, 0x03, 0x30, 0x01, 0x00 };
    for (int t = SPDU_CN; t < SPDU_TYPE_COUNT; t++) {
        struct spdu s, out[3];
        struct ber_writer w;
        struct ber_error e;
        size_t n;
        spdu_init(&s, (enum spdu_type)t);
        /* set every parameter this SPDU allows, with a recognisable value */
        struct spdu probe;
        spdu_init(&probe, (enum spdu_type)t);
        ber_writer_init(&w);
        for (uint32_t bit = 1; bit && bit <= SPDU_P_USER_DATA; bit <<= 1) {
            probe.present = bit;
            ber_writer_reset(&w);
            if (spdu_encode(&w, &probe) == 0)
                s.present |= bit;
        }
        s.calling_ss_ref = ber_slice_make("ref", 3);
        s.common_ref = ber_slice_make("common", 6);
        s.additional_ref = ber_slice_make("a", 1);
        s.protocol_options = 1;
        s.tsdu_max_to_responder = 1000;
        s.tsdu_max_to_initiator = 2000;
        s.version = SPDU_VERSION_2;
        s.initial_serial = ber_slice_make("12", 2);
        s.token_setting = 0x55;
        s.sync_type = 1;
        s.token_item = 0x01;
        s.transport_disconnect = SPDU_TD_USER_ABORT;
        s.session_requirements = SPDU_SUR_DUPLEX;
        s.enclosure = SPDU_ENCLOSURE_BEGIN | SPDU_ENCLOSURE_END;
        s.linking = ber_slice_make("\x0a\x01x", 3);
        s.activity_id = ber_slice_make("7", 1);
        s.serial_number = ber_slice_make("42", 2);
        s.reflect = ber_slice_make("rr", 2);
        s.reason_code = SPDU_RF_USER_DATA;
        s.reason_data = ber_slice_make("why", 3);
        s.calling_ssel = ber_slice_make("C", 1);
        s.called_ssel = ber_slice_make("D", 1);
        s.data_overflow = 1;
        s.user_data = ber_slice_make(ud, sizeof(ud));
        ber_writer_reset(&w);
        assert_int_equal(spdu_encode(&w, &s), 0);
        /* a category 2 SPDU only travels behind GT; a category 0 may travel alone */
        size_t expect_index = 0;
        bool cat2 = t == SPDU_DT || t == SPDU_MAP || t == SPDU_MAA || t == SPDU_AS || t == SPDU_AR ||
                    t == SPDU_AD || t == SPDU_ADA || t == SPDU_AE || t == SPDU_AEA || t == SPDU_AI ||
                    t == SPDU_AIA;
        if (cat2) {
            struct spdu gt;
            spdu_init(&gt, SPDU_GT);
            spdu_encode(&w, &gt);
            expect_index = 1;
        }
        unsigned flags = (t >= SPDU_AE) ? SPDU_F_ACTIVITY : 0;
        int rc = spdu_decode_tsdu(ber_writer_data(&w), ber_writer_len(&w), flags, out, 3, &n, &e);
        if (rc < 0)
            fail_msg("%s: %s at %zu: %s", spdu_type_name((enum spdu_type)t), e.type, e.offset, e.what);
        assert_int_equal(n, expect_index + 1);
        struct spdu *d = &out[expect_index];
        assert_int_equal(d->type, t);
        assert_int_equal(d->present, s.present);
        if (s.present & SPDU_P_USER_DATA)
            assert_true(ber_slice_eq(d->user_data, s.user_data));
        if (s.present & SPDU_P_TSDU_MAX) {
            assert_int_equal(d->tsdu_max_to_responder, 1000);
            assert_int_equal(d->tsdu_max_to_initiator, 2000);
        }
        if (s.present & SPDU_P_REASON_CODE) {
            assert_int_equal(d->reason_code, SPDU_RF_USER_DATA);
            assert_true(ber_slice_eq(d->reason_data, s.reason_data));
        }
        if (s.present & SPDU_P_SESSION_REQUIREMENTS)
            assert_int_equal(d->session_requirements, SPDU_SUR_DUPLEX);
        if (s.present & SPDU_P_COMMON_REF)
            assert_true(ber_slice_eq(d->common_ref, s.common_ref));
        ber_writer_free(&w);
    }
}

static void test_osi_spdu_extended_user_data(void **state)
{
    (void)state;
    static uint8_t big[2000];
    memset(big, 0x5a, sizeof(big));
    struct spdu s, out[1];
    struct ber_writer w;
    struct ber_error e;
    size_t n;
    spdu_init(&s, SPDU_CN);
    s.present = SPDU_P_VERSION | SPDU_P_SESSION_REQUIREMENTS | SPDU_P_USER_DATA;
    s.version = SPDU_VERSION_2;
    s.session_requirements = SPDU_SUR_DUPLEX;
    s.user_data = ber_slice_make(big, sizeof(big));
    ber_writer_init(&w);
    assert_int_equal(spdu_encode(&w, &s), 0);
    const uint8_t *p = ber_writer_data(&w);
    assert_int_equal(p[0], SPDU_SI_CN);
    assert_int_equal(p[1], 0xff); /* LI above 254: FF + 2 octets */
    assert_int_equal(spdu_decode_tsdu(p, ber_writer_len(&w), 0, out, 1, &n, &e), 0);
    assert_true(out[0].extended_user_data);
    assert_int_equal(out[0].user_data.len, sizeof(big));
    /* over 10240 octets is refused */
    static uint8_t huge[10241];
    s.user_data = ber_slice_make(huge, sizeof(huge));
    ber_writer_reset(&w);
    assert_int_equal(spdu_encode(&w, &s), X400MS_ELIMIT);
    /* a parameter the SPDU does not allow */
    ber_writer_free(&w);
    ber_writer_init(&w);
    spdu_init(&s, SPDU_GTC);
    s.present = SPDU_P_USER_DATA;
    assert_int_equal(spdu_encode(&w, &s), X400MS_EINVAL);
    ber_writer_free(&w);
}

static void test_osi_spdu_errors_neg(void **state)
{
    (void)state;
    struct spdu s[2];
    size_t n;
    struct ber_error e;
    /* LI past the end */
    assert_int_equal(spdu_decode_tsdu(B(0x0d, 0x05, 0x14, 0x02), 4, 0, s, 2, &n, &e), X400MS_EPROTO);
    assert_string_equal(e.what, "length past end of TSDU");
    assert_int_equal(e.offset, 0);
    /* parameter overrunning its SPDU */
    assert_int_equal(spdu_decode_tsdu(B(0x0d, 0x03, 0x14, 0x05, 0x00), 5, 0, s, 2, &n, &e), X400MS_EPROTO);
    assert_string_equal(e.type, "CN SPDU");
    assert_int_equal(e.offset, 2);
    /* bad parameter length */
    assert_int_equal(spdu_decode_tsdu(B(0x0d, 0x03, 0x14, 0x01, 0x02), 5, 0, s, 2, &n, &e), X400MS_EPROTO);
    assert_string_equal(e.what, "bad parameter length");
    /* unknown SI */
    assert_int_equal(spdu_decode_tsdu(B(0x63, 0x00), 2, 0, s, 2, &n, &e), X400MS_EPROTO);
    assert_string_equal(e.what, "unknown SPDU identifier");
    /* CN followed by something */
    assert_int_equal(spdu_decode_tsdu(B(0x0d, 0x00, 0x01, 0x00), 4, 0, s, 2, &n, &e), X400MS_EPROTO);
    assert_int_equal(e.offset, 2);
    /* truncated FF length */
    assert_int_equal(spdu_decode_tsdu(B(0x0d, 0xff, 0x01), 3, 0, s, 2, &n, &e), X400MS_EPROTO);
    /* too many SPDUs for the caller's array */
    assert_int_equal(spdu_decode_tsdu(B(0x01, 0x00, 0x01, 0x00, 0x61), 5, 0, s, 1, &n, &e), X400MS_ELIMIT);
    /* empty */
    assert_int_equal(spdu_decode_tsdu(B(0x00), 0, 0, s, 2, &n, &e), X400MS_EPROTO);
}

/* ---- presentation ---- */

static void fill_cp(struct pres_connect *cp)
{
    pres_connect_init(cp);
    cp->calling_selector = ber_slice_make("\x00\x01", 2);
    cp->called_selector = ber_slice_make("\x00\x02", 2);
    cp->has_context_list = true;
    cp->ncontexts = 2;
    cp->contexts[0].id = 1;
    cp->contexts[0].abstract_syntax = oid_acse_as;
    cp->contexts[0].nts = 1;
    cp->contexts[0].transfer_syntax[0] = oid_ber;
    cp->contexts[1].id = 3;
    cp->contexts[1].abstract_syntax = oid_as_ms_88;
    cp->contexts[1].nts = 1;
    cp->contexts[1].transfer_syntax[0] = oid_ber;
    cp->has_presentation_requirements = true;
    cp->presentation_requirements = 0;
    cp->has_user_session_requirements = true;
    cp->user_session_requirements = 1u << 1;
    cp->user_data.present = true;
    cp->user_data.npdv = 1;
    cp->user_data.pdv[0].context_id = 1;
    cp->user_data.pdv[0].encoding = PRES_SINGLE_ASN1_TYPE;
    static const uint8_t null_value[] = { 0x05, 0x00 };
    cp->user_data.pdv[0].value = ber_slice_make(null_value, 2);
}

static void test_osi_pres_round_trip(void **state)
{
    (void)state;
    static struct pres_connect cp, back;
    struct ber_writer w;
    struct ber_error e;
    fill_cp(&cp);
    ber_writer_init(&w);
    assert_int_equal(pres_encode_cp(&w, &cp), 0);
    const uint8_t *p = ber_writer_data(&w);
    /* SET { [0] { [0] 1 }, [2] { no [0] version (DEFAULT), [1] ... } } */
    assert_memory_equal(p + 2, B(0xa0, 0x03, 0x80, 0x01, 0x01), 5);
    assert_int_equal(p[7], 0xa2);
    assert_int_equal(p[9], 0x81);
    assert_int_equal(pres_decode_cp(p, ber_writer_len(&w), &back, &e), 0);
    assert_int_equal(back.ncontexts, 2);
    assert_int_equal(back.contexts[1].id, 3);
    assert_true(ber_oid_eq(back.contexts[1].abstract_syntax, oid_as_ms_88));
    assert_true(ber_slice_eq(back.calling_selector, cp.calling_selector));
    assert_int_equal(back.user_session_requirements, 2);
    assert_int_equal(back.protocol_version, PRES_VERSION_1);
    assert_true(ber_slice_eq(back.user_data.pdv[0].value, cp.user_data.pdv[0].value));

    /* CPA */
    pres_connect_init(&cp);
    cp.has_result_list = true;
    cp.nresults = 2;
    cp.results[0].result = PRES_ACCEPTANCE;
    cp.results[0].transfer_syntax = oid_ber;
    cp.results[1].result = PRES_PROVIDER_REJECTION;
    cp.results[1].has_provider_reason = true;
    cp.results[1].provider_reason = 1;
    cp.responding_selector = ber_slice_make("R", 1);
    ber_writer_reset(&w);
    assert_int_equal(pres_encode_cpa(&w, &cp), 0);
    assert_int_equal(pres_decode_cpa(ber_writer_data(&w), ber_writer_len(&w), &back, &e), 0);
    assert_int_equal(back.nresults, 2);
    assert_int_equal(back.results[1].result, PRES_PROVIDER_REJECTION);
    assert_int_equal(back.results[1].provider_reason, 1);
    assert_true(ber_oid_eq(back.results[0].transfer_syntax, oid_ber));
    assert_false(back.results[1].transfer_syntax.ptr != NULL);

    /* CPR */
    pres_connect_init(&cp);
    cp.has_provider_reason = true;
    cp.provider_reason = PRES_PR_DEFAULT_CONTEXT_NOT_SUPPORTED;
    ber_writer_reset(&w);
    assert_int_equal(pres_encode_cpr(&w, &cp), 0);
    assert_memory_equal(ber_writer_data(&w), B(0x30, 0x03, 0x8a, 0x01, 0x05), 5);
    assert_int_equal(pres_decode_cpr(ber_writer_data(&w), ber_writer_len(&w), &back, &e), 0);
    assert_int_equal(back.provider_reason, PRES_PR_DEFAULT_CONTEXT_NOT_SUPPORTED);

    /* ARU with user data, ARP */
    static struct pres_abort ab, abb;
    memset(&ab, 0, sizeof(ab));
    ab.ncontext_ids = 1;
    ab.context_ids[0] = 1;
    ab.context_transfer_syntax[0] = oid_ber;
    ab.user_data.present = true;
    ab.user_data.npdv = 1;
    ab.user_data.pdv[0].context_id = 1;
    ab.user_data.pdv[0].encoding = PRES_OCTET_ALIGNED;
    ab.user_data.pdv[0].value = ber_slice_make("xyz", 3);
    ber_writer_reset(&w);
    assert_int_equal(pres_encode_abort(&w, &ab), 0);
    assert_int_equal(pres_decode_abort(ber_writer_data(&w), ber_writer_len(&w), &abb, &e), 0);
    assert_false(abb.provider);
    assert_int_equal(abb.ncontext_ids, 1);
    assert_int_equal(abb.user_data.pdv[0].encoding, PRES_OCTET_ALIGNED);
    assert_memory_equal(abb.user_data.pdv[0].value.ptr, "xyz", 3);
    memset(&ab, 0, sizeof(ab));
    ab.provider = true;
    ab.has_provider_reason = true;
    ab.provider_reason = 1;
    ber_writer_reset(&w);
    assert_int_equal(pres_encode_abort(&w, &ab), 0);
    assert_memory_equal(ber_writer_data(&w), B(0x30, 0x03, 0x80, 0x01, 0x01), 5);
    assert_int_equal(pres_decode_abort(ber_writer_data(&w), ber_writer_len(&w), &abb, &e), 0);
    assert_true(abb.provider);
    assert_int_equal(abb.provider_reason, 1);

    /* zero-copy P-DATA */
    ber_writer_reset(&w);
    ber_mark_t m = ber_mark(&w);
    ber_put_null(&w, BER_UNIV(BER_NULL));
    assert_int_equal(pres_wrap_single(&w, m, 5), 0);
    assert_memory_equal(ber_writer_data(&w), B(0x61, 0x09, 0x30, 0x07, 0x02, 0x01, 0x05, 0xa0, 0x02, 0x05, 0x00), 11);
    ber_writer_free(&w);
}

static void test_osi_pres_set_order_and_indefinite(void **state)
{
    (void)state;
    static struct pres_connect a, b;
    struct ber_error e;
    /* CP-type with [2] before [0], indefinite lengths, arbitrary and octet-aligned PDVs */
    const uint8_t in[] = { 0x31, 0x80,
                           0xa2, 0x80,
                           0x61, 0x80,
                           0x30, 0x06, 0x02, 0x01, 0x01, 0x82, 0x01, 0x00,
                           0x30, 0x0a, 0x02, 0x01, 0x03, 0xa1, 0x80, 0x04, 0x01, 'a', 0x00, 0x00,
                           0x00, 0x00,
                           0x00, 0x00,
                           0xa0, 0x03, 0x80, 0x01, 0x01,
                           0x00, 0x00 };
    assert_int_equal(pres_decode_cp(in, sizeof(in), &a, &e), 0);
    assert_int_equal(a.mode, 1);
    assert_int_equal(a.user_data.npdv, 2);
    assert_int_equal(a.user_data.pdv[0].encoding, PRES_ARBITRARY);
    assert_int_equal(a.user_data.pdv[1].encoding, PRES_OCTET_ALIGNED);
    assert_true(a.user_data.pdv[1].segmented);
    const uint8_t def[] = { 0x31, 0x1c, 0xa0, 0x03, 0x80, 0x01, 0x01, 0xa2, 0x15, 0x61, 0x13,
                            0x30, 0x06, 0x02, 0x01, 0x01, 0x82, 0x01, 0x00,
                            0x30, 0x09, 0x02, 0x01, 0x03, 0xa1, 0x04, 0x04, 0x01, 'a', 0x00 };
    /* (the definite form above has one byte too many on purpose: trailing member) */
    assert_int_equal(pres_decode_cp(def, sizeof(def) - 1, &b, &e), X400MS_EPROTO);
    const uint8_t def2[] = { 0x31, 0x1b, 0xa0, 0x03, 0x80, 0x01, 0x01, 0xa2, 0x14, 0x61, 0x12,
                             0x30, 0x06, 0x02, 0x01, 0x01, 0x82, 0x01, 0x00,
                             0x30, 0x08, 0x02, 0x01, 0x03, 0xa1, 0x03, 0x04, 0x01, 'a' };
    assert_int_equal(pres_decode_cp(def2, sizeof(def2), &b, &e), 0);
    assert_int_equal(b.user_data.npdv, 2);
    assert_int_equal(b.user_data.pdv[0].context_id, a.user_data.pdv[0].context_id);
    assert_true(ber_slice_eq(b.user_data.pdv[0].value, a.user_data.pdv[0].value));
}

static void test_osi_pres_errors_neg(void **state)
{
    (void)state;
    static struct pres_connect cp;
    struct pres_user_data ud;
    struct ber_error e;
    /* missing mode selector */
    assert_int_equal(pres_decode_cp(B(0x31, 0x02, 0xa2, 0x00), 4, &cp, &e), X400MS_EPROTO);
    assert_string_equal(e.type, "Mode-selector");
    /* wrong outer tag */
    assert_int_equal(pres_decode_cp(B(0x30, 0x00), 2, &cp, &e), X400MS_EPROTO);
    assert_string_equal(e.type, "CP-type");
    /* PDV without context id */
    assert_int_equal(pres_decode_user_data(B(0x61, 0x06, 0x30, 0x04, 0xa0, 0x02, 0x05, 0x00), 8, &ud, &e),
                     X400MS_EPROTO);
    assert_string_equal(e.type, "PDV-list.presentation-context-identifier");
    assert_string_equal(e.what, "wrong tag");
    assert_int_equal(e.offset, 4);
    /* empty fully-encoded-data */
    assert_int_equal(pres_decode_user_data(B(0x61, 0x00), 2, &ud, &e), X400MS_EPROTO);
    /* truncated */
    assert_int_equal(pres_decode_user_data(B(0x61, 0x08, 0x30, 0x06, 0x02), 5, &ud, &e), X400MS_EPROTO);
    assert_string_equal(e.type, "User-data");
}

/* ---- ACSE ---- */

static void test_osi_acse_round_trip(void **state)
{
    (void)state;
    static struct acse_apdu a, b;
    struct ber_writer w;
    struct ber_error e;
    const uint8_t title[] = { 0x06, 0x03, 0x29, 0x01, 0x02 };
    const uint8_t qual[] = { 0x02, 0x01, 0x07 };
    ber_writer_init(&w);
    for (int t = ACSE_AARQ; t <= ACSE_ABRT; t++) {
        acse_init(&a, (enum acse_type)t);
        a.context_name = oid_ac_ms_access_88;
        a.called_ap_title = ber_slice_make(title, sizeof(title));
        a.called_ae_qualifier = ber_slice_make(qual, sizeof(qual));
        a.calling_ap_title = ber_slice_make(title, sizeof(title));
        a.responding_ap_title = ber_slice_make(title, sizeof(title));
        a.result = ACSE_REJECTED_PERMANENT;
        a.diagnostic_source = ACSE_DIAG_SERVICE_USER;
        a.diagnostic = ACSE_USER_CONTEXT_NAME_NOT_SUPPORTED;
        a.has_reason = true;
        a.reason = ACSE_RELEASE_NORMAL;
        a.abort_source = ACSE_ABRT_SERVICE_PROVIDER;
        a.user_info.present = true;
        a.user_info.n = 2;
        a.user_info.ext[0].has_indirect_reference = true;
        a.user_info.ext[0].indirect_reference = 3;
        a.user_info.ext[0].value = ber_slice_make(B(0xb0, 0x02, 0x05, 0x00), 4);
        a.user_info.ext[1].direct_reference = oid_ber;
        a.user_info.ext[1].encoding = ACSE_EXT_OCTET_ALIGNED;
        a.user_info.ext[1].value = ber_slice_make("raw", 3);
        ber_writer_reset(&w);
        assert_int_equal(acse_encode(&w, &a), 0);
        assert_int_equal(ber_writer_data(&w)[0], 0x60 | t);
        assert_int_equal(acse_decode(ber_writer_data(&w), ber_writer_len(&w), &b, &e), 0);
        assert_int_equal(b.type, t);
        assert_int_equal(b.user_info.n, 2);
        assert_int_equal(b.user_info.ext[0].indirect_reference, 3);
        assert_true(ber_slice_eq(b.user_info.ext[0].value, a.user_info.ext[0].value));
        assert_int_equal(b.user_info.ext[1].encoding, ACSE_EXT_OCTET_ALIGNED);
        assert_true(ber_oid_eq(b.user_info.ext[1].direct_reference, oid_ber));
        if (t == ACSE_AARQ) {
            assert_true(ber_oid_eq(b.context_name, oid_ac_ms_access_88));
            int64_t q;
            assert_int_equal(acse_qualifier_form2(b.called_ae_qualifier, &q), 0);
            assert_int_equal(q, 7);
            assert_true(ber_slice_eq(b.calling_ap_title, a.calling_ap_title));
            /* protocol-version DEFAULT {version1} is not sent: [1] comes first */
            assert_int_equal(ber_writer_data(&w)[2], 0xa1);
        } else if (t == ACSE_AARE) {
            assert_int_equal(b.result, ACSE_REJECTED_PERMANENT);
            assert_int_equal(b.diagnostic_source, ACSE_DIAG_SERVICE_USER);
            assert_int_equal(b.diagnostic, ACSE_USER_CONTEXT_NAME_NOT_SUPPORTED);
            assert_true(ber_slice_eq(b.responding_ap_title, a.responding_ap_title));
        } else if (t == ACSE_ABRT) {
            assert_int_equal(b.abort_source, ACSE_ABRT_SERVICE_PROVIDER);
        } else {
            assert_true(b.has_reason);
        }
    }
    /* zero-copy AARQ: bind value -> EXTERNAL -> user-information */
    acse_init(&a, ACSE_AARQ);
    a.context_name = oid_ac_ms_access_88;
    ber_writer_reset(&w);
    ber_mark_t m = ber_mark(&w);
    ber_put_null(&w, BER_UNIV(BER_NULL));
    ber_wrap(&w, m, BER_CTX(16), true);
    acse_wrap_external(&w, m, 3);
    assert_int_equal(acse_encode_after(&w, &a, m), 0);
    const uint8_t expect[] = { 0x60, 0x15, 0xa1, 0x07, 0x06, 0x05, 0x56, 0x00, 0x01, 0x04, 0x00,
                               0xbe, 0x0a, 0x28, 0x08, 0x02, 0x01, 0x03, 0xa0, 0x03, 0xb0, 0x01, 0x05 };
    (void)expect;
    assert_int_equal(acse_decode(ber_writer_data(&w), ber_writer_len(&w), &b, &e), 0);
    assert_int_equal(b.user_info.n, 1);
    assert_int_equal(b.user_info.ext[0].indirect_reference, 3);
    assert_memory_equal(b.user_info.ext[0].value.ptr, B(0xb0, 0x02, 0x05, 0x00), 4);
    ber_writer_free(&w);
}

static void test_osi_acse_unknown_extension_preserved(void **state)
{
    (void)state;
    static struct acse_apdu a;
    struct ber_writer w;
    struct ber_error e;
    /* AARQ { [1] ac-name, [20] unknown extension, [30] {} } with an indefinite [1] */
    const uint8_t in[] = { 0x60, 0x80, 0xa1, 0x80, 0x06, 0x05, 0x56, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00,
                           0xb4, 0x03, 0x02, 0x01, 0x2a, 0xbe, 0x00, 0x00, 0x00 };
    assert_int_equal(acse_decode(in, sizeof(in), &a, &e), 0);
    assert_int_equal(a.nunknown, 1);
    assert_memory_equal(a.unknown[0].ptr, B(0xb4, 0x03, 0x02, 0x01, 0x2a), 5);
    assert_true(a.user_info.present);
    assert_int_equal(a.user_info.n, 0);
    ber_writer_init(&w);
    assert_int_equal(acse_encode(&w, &a), 0);
    const uint8_t out[] = { 0x60, 0x10, 0xa1, 0x07, 0x06, 0x05, 0x56, 0x00, 0x01, 0x04, 0x00,
                            0xb4, 0x03, 0x02, 0x01, 0x2a, 0xbe, 0x00 };
    assert_int_equal(ber_writer_len(&w), sizeof(out));
    assert_memory_equal(ber_writer_data(&w), out, sizeof(out));
    ber_writer_free(&w);
}

static void test_osi_acse_errors_neg(void **state)
{
    (void)state;
    static struct acse_apdu a;
    struct ber_error e;
    /* AARQ without application-context-name */
    assert_int_equal(acse_decode(B(0x60, 0x00), 2, &a, &e), X400MS_EPROTO);
    assert_string_equal(e.type, "AARQ-apdu.application-context-name");
    assert_string_equal(e.what, "missing");
    /* AARE result not an INTEGER */
    assert_int_equal(acse_decode(B(0x61, 0x0c, 0xa1, 0x03, 0x06, 0x01, 0x29, 0xa2, 0x03, 0x04, 0x01, 0x00,
                                   0xa3, 0x00), 14, &a, &e), X400MS_EPROTO);
    assert_string_equal(e.type, "AARE-apdu.result");
    assert_string_equal(e.what, "wrong tag");
    assert_int_equal(e.offset, 9);
    /* unknown APDU */
    assert_int_equal(acse_decode(B(0x67, 0x00), 2, &a, &e), X400MS_EPROTO);
    assert_string_equal(e.type, "ACSE-apdu");
    /* EXTERNAL without encoding */
    assert_int_equal(acse_decode(B(0x62, 0x07, 0xbe, 0x05, 0x28, 0x03, 0x02, 0x01, 0x01), 9, &a, &e),
                     X400MS_EPROTO);
    assert_string_equal(e.type, "EXTERNAL.encoding");
    /* ABRT without abort-source */
    assert_int_equal(acse_decode(B(0x64, 0x00), 2, &a, &e), X400MS_EPROTO);
    /* length past end inside */
    assert_int_equal(acse_decode(B(0x62, 0x03, 0x80, 0x05, 0x00), 5, &a, &e), X400MS_EPROTO);
    assert_string_equal(e.what, "length past end");
    assert_int_equal(e.offset, 2);
}

/* ---- ROSE ---- */

static void test_osi_ros_round_trip(void **state)
{
    (void)state;
    const enum ros_type types[] = { ROS_INVOKE, ROS_RETURN_RESULT, ROS_RETURN_ERROR, ROS_REJECT,
                                    ROS_BIND_INVOKE, ROS_BIND_RESULT, ROS_BIND_ERROR, ROS_UNBIND_INVOKE,
                                    ROS_UNBIND_RESULT, ROS_UNBIND_ERROR };
    const uint8_t arg[] = { 0x31, 0x03, 0x80, 0x01, 0x05 };
    struct ber_writer w;
    ber_writer_init(&w);
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        struct ros_pdu p, q;
        struct ber_error e;
        memset(&p, 0, sizeof(p));
        p.type = types[i];
        p.invoke_id = 300 + (int64_t)i;
        p.opcode.local = 21;
        p.errcode.global = true;
        p.errcode.oid = oid_ms_att_priority;
        p.has_linked_id = p.type == ROS_INVOKE;
        p.linked_id = 7;
        p.has_argument = p.type != ROS_REJECT;
        p.argument = ber_slice_make(arg, sizeof(arg));
        p.problem_kind = ROS_PROBLEM_INVOKE;
        p.problem = ROS_IP_UNRECOGNIZED_OPERATION;
        ber_writer_reset(&w);
        assert_int_equal(ros_encode(&w, &p), 0);
        assert_int_equal(ber_writer_data(&w)[0], 0xa0 + types[i]);
        assert_int_equal(ros_decode(ber_writer_data(&w), ber_writer_len(&w), &q, &e), 0);
        assert_int_equal(q.type, p.type);
        assert_int_equal(q.has_argument, p.has_argument);
        if (p.has_argument)
            assert_true(ber_slice_eq(q.argument, p.argument));
        if (types[i] <= ROS_REJECT)
            assert_int_equal(q.invoke_id, p.invoke_id);
        if (types[i] == ROS_INVOKE) {
            assert_int_equal(q.opcode.local, 21);
            assert_true(q.has_linked_id);
            assert_int_equal(q.linked_id, 7);
        }
        if (types[i] == ROS_RETURN_RESULT) {
            assert_true(q.has_result);
            assert_int_equal(q.opcode.local, 21);
        }
        if (types[i] == ROS_RETURN_ERROR) {
            assert_true(q.errcode.global);
            assert_true(ber_oid_eq(q.errcode.oid, oid_ms_att_priority));
        }
        if (types[i] == ROS_REJECT) {
            assert_int_equal(q.problem_kind, ROS_PROBLEM_INVOKE);
            assert_int_equal(q.problem, ROS_IP_UNRECOGNIZED_OPERATION);
        }
    }
    ber_writer_free(&w);
    ber_writer_init(&w);
    /* exact form of an invoke: a1 0a 02 01 01 02 01 15 31 03 80 01 05 (P7 list, id 1) */
    struct ros_pdu p;
    memset(&p, 0, sizeof(p));
    p.type = ROS_INVOKE;
    p.invoke_id = 1;
    p.opcode.local = 21;
    ber_writer_reset(&w);
    ber_mark_t m = ber_mark(&w);
    ber_put_raw(&w, arg, sizeof(arg));
    assert_int_equal(ros_encode_after(&w, &p, m), 0);
    assert_memory_equal(ber_writer_data(&w), B(0xa1, 0x0b, 0x02, 0x01, 0x01, 0x02, 0x01, 0x15, 0x31, 0x03, 0x80, 0x01, 0x05), 13);
    /* returnResult without result */
    p.type = ROS_RETURN_RESULT;
    ber_writer_reset(&w);
    assert_int_equal(ros_encode_after(&w, &p, ber_mark(&w)), 0);
    assert_memory_equal(ber_writer_data(&w), B(0xa2, 0x03, 0x02, 0x01, 0x01), 5);
    ber_writer_free(&w);
}

static void test_osi_ros_errors_neg(void **state)
{
    (void)state;
    struct ros_pdu p;
    struct ber_error e;
    /* invoke without opcode */
    assert_int_equal(ros_decode(B(0xa1, 0x03, 0x02, 0x01, 0x01), 5, &p, &e), X400MS_EPROTO);
    assert_string_equal(e.type, "Invoke.opcode");
    assert_string_equal(e.what, "missing");
    /* invokeId of a wrong type */
    assert_int_equal(ros_decode(B(0xa1, 0x06, 0x04, 0x01, 0x01, 0x02, 0x01, 0x15), 8, &p, &e), X400MS_EPROTO);
    assert_string_equal(e.type, "Invoke.invokeId");
    assert_int_equal(e.offset, 2);
    /* unknown alternative */
    assert_int_equal(ros_decode(B(0xa5, 0x00), 2, &p, &e), X400MS_EPROTO);
    /* reject problem with a bad tag */
    assert_int_equal(ros_decode(B(0xa4, 0x06, 0x02, 0x01, 0x01, 0x85, 0x01, 0x00), 8, &p, &e), X400MS_EPROTO);
    assert_string_equal(e.type, "Reject.problem");
    /* bind-invoke with two values */
    assert_int_equal(ros_decode(B(0xb0, 0x04, 0x05, 0x00, 0x05, 0x00), 6, &p, &e), X400MS_EPROTO);
    /* trailing element after the argument */
    assert_int_equal(ros_decode(B(0xa1, 0x0a, 0x02, 0x01, 0x01, 0x02, 0x01, 0x15, 0x05, 0x00, 0x05, 0x00), 12,
                                &p, &e), X400MS_EPROTO);
    assert_string_equal(e.what, "unexpected trailing element");
}

/* ---- RTSE ---- */

static void test_osi_rtse_round_trip(void **state)
{
    (void)state;
    const enum rtse_type types[] = { RTSE_RTORQ, RTSE_RTOAC, RTSE_RTORJ, RTSE_RTTP, RTSE_RTTR, RTSE_RTAB };
    const uint8_t bind[] = { 0x31, 0x00 };
    struct ber_writer w;
    ber_writer_init(&w);
    for (size_t i = 0; i < 6; i++) {
        struct rtse_apdu a, b;
        struct ber_error e;
        rtse_init(&a, types[i]);
        a.connection_data = ber_slice_make(bind, 2);
        a.has_refuse_reason = true;
        a.refuse_reason = RTSE_REFUSE_VALIDATION_FAILURE;
        a.has_abort_reason = true;
        a.abort_reason = RTSE_ABORT_USER_ERROR;
        a.user_data = ber_slice_make(bind, 2);
        a.priority = 1;
        a.transfer_data = ber_slice_make("apdu", 4);
        a.dialogue_mode = RTSE_TWA;
        ber_writer_reset(&w);
        assert_int_equal(rtse_encode(&w, &a), 0);
        assert_int_equal(rtse_decode(ber_writer_data(&w), ber_writer_len(&w), &b, &e), 0);
        assert_int_equal(b.type, a.type);
        switch (a.type) {
        case RTSE_RTORQ:
            assert_int_equal(b.dialogue_mode, RTSE_TWA);
            assert_int_equal(b.window_size, 3);
            /* fallthrough */
        case RTSE_RTOAC:
            assert_true(ber_slice_eq(b.connection_data, a.connection_data));
            break;
        case RTSE_RTORJ:
            assert_int_equal(b.refuse_reason, RTSE_REFUSE_VALIDATION_FAILURE);
            assert_true(ber_slice_eq(b.user_data, a.user_data));
            break;
        case RTSE_RTTP: assert_int_equal(b.priority, 1); break;
        case RTSE_RTTR: assert_true(ber_slice_eq(b.transfer_data, a.transfer_data)); break;
        case RTSE_RTAB:
            assert_int_equal(b.abort_reason, RTSE_ABORT_USER_ERROR);
            assert_true(ber_slice_eq(b.user_data, a.user_data));
            break;
        }
    }
    /* DEFAULTs omitted: RTOAC { [2] { [0] { 31 00 } } } only */
    struct rtse_apdu a;
    rtse_init(&a, RTSE_RTOAC);
    a.connection_data = ber_slice_make(bind, 2);
    ber_writer_reset(&w);
    rtse_encode(&w, &a);
    assert_int_equal(ber_writer_len(&w), 8);
    assert_memory_equal(ber_writer_data(&w), B(0xb1, 0x06, 0xa2, 0x04, 0xa0, 0x02, 0x31, 0x00), 8);
    ber_writer_free(&w);
}

static void test_osi_rtse_set_order_neg(void **state)
{
    (void)state;
    struct rtse_apdu a;
    struct ber_error e;
    /* RTORQ members in reverse order, window 5 */
    assert_int_equal(rtse_decode(B(0xb0, 0x0b, 0xa3, 0x04, 0xa0, 0x02, 0x31, 0x00, 0x81, 0x01, 0x05,
                                   0x80, 0x00), 13, &a, &e), X400MS_EPROTO); /* empty INTEGER */
    assert_string_equal(e.type, "checkpointSize");
    assert_int_equal(rtse_decode(B(0xb0, 0x0b, 0x81, 0x01, 0x05, 0xa3, 0x04, 0xa0, 0x02, 0x31, 0x00, 0x80,
                                   0x01, 0x02), 14, &a, &e), X400MS_EPROTO); /* length 0x0b, 12 octets */
    assert_int_equal(rtse_decode(B(0xb0, 0x0c, 0x81, 0x01, 0x05, 0xa3, 0x04, 0xa0, 0x02, 0x31, 0x00, 0x80,
                                   0x01, 0x02), 14, &a, &e), 0);
    assert_int_equal(a.window_size, 5);
    assert_int_equal(a.checkpoint_size, 2);
    /* RTORQ without connectionData */
    assert_int_equal(rtse_decode(B(0xb0, 0x00), 2, &a, &e), X400MS_EPROTO);
    assert_string_equal(e.type, "connectionData");
}

/* ---- tshark: what we encode, dissected ---- */

static size_t tsdu_frame(uint8_t *out, size_t size, struct ber_writer *w)
{
    size_t n = x4pcap_tpkt_dt(out, size, ber_writer_data(w), ber_writer_len(w));
    assert_true(n > 0);
    return n;
}

/* A P7 (ms-access-88) association: CN/AC with bind, P-DATA operations, release, abort. */
static void test_osi_tshark_p7_association(void **state)
{
    (void)state;
    if (!x4_tshark_path()) {
        print_message("TSHARK not set: skipping the tshark check\n");
        skip();
    }
    char path[] = "/tmp/x400ms-osi-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    const uint16_t port = 10102;
    struct x4pcap *pc = x4pcap_open(path, 40000, port);
    assert_non_null(pc);
    struct ber_writer w;
    static uint8_t frame[70000];
    ber_writer_init(&w);

    /* MSBindArgument: SET { ORName {C=XX, A= }, [2] simple IA5 "pass" } */
    const uint8_t bind_arg[] = { 0x31, 0x17, 0x60, 0x0d, 0x30, 0x0b, 0x61, 0x04, 0x13, 0x02, 'X', 'X', 0x62,
                                 0x03, 0x13, 0x01, ' ', 0xa2, 0x06, 0x16, 0x04, 'p', 'a', 's', 's' };
    const uint8_t bind_res[] = { 0x31, 0x08, 0xa2, 0x06, 0x16, 0x04, 'p', 'a', 's', 's' };

    /* CN: AARQ { ms-access-88, EXTERNAL { 3, bind-invoke MSBindArgument } } */
    static struct acse_apdu a;
    static struct pres_connect cp;
    struct spdu s;
    acse_init(&a, ACSE_AARQ);
    a.context_name = oid_ac_ms_access_88;
    ber_mark_t m = ber_mark(&w);
    ber_put_raw(&w, bind_arg, sizeof(bind_arg));
    struct ros_pdu r;
    memset(&r, 0, sizeof(r));
    r.type = ROS_BIND_INVOKE;
    ros_encode_after(&w, &r, m);
    acse_wrap_external(&w, m, 3);
    acse_encode_after(&w, &a, m);
    struct ber_slice aarq = ber_slice_make(ber_writer_data(&w), ber_writer_len(&w));
    pres_connect_init(&cp);
    cp.calling_selector = ber_slice_make("\x00\x01", 2);
    cp.called_selector = ber_slice_make("\x00\x01", 2);
    cp.has_context_list = true;
    cp.ncontexts = 3;
    const int64_t ids[3] = { 1, 3, 5 };
    const struct ber_slice *as[3] = { &oid_acse_as, &oid_as_ms_88, &oid_as_mrse_88 };
    for (int i = 0; i < 3; i++) {
        cp.contexts[i].id = ids[i];
        cp.contexts[i].abstract_syntax = *as[i];
        cp.contexts[i].nts = 1;
        cp.contexts[i].transfer_syntax[0] = oid_ber;
    }
    cp.user_data.present = true;
    cp.user_data.npdv = 1;
    cp.user_data.pdv[0].context_id = 1;
    cp.user_data.pdv[0].value = aarq;
    static struct ber_writer w2;
    ber_writer_init(&w2);
    assert_int_equal(pres_encode_cp(&w2, &cp), 0);
    spdu_init(&s, SPDU_CN);
    s.present = SPDU_P_PROTOCOL_OPTIONS | SPDU_P_VERSION | SPDU_P_SESSION_REQUIREMENTS | SPDU_P_USER_DATA |
                SPDU_P_CALLING_SSEL | SPDU_P_CALLED_SSEL;
    s.version = SPDU_VERSION_2;
    s.session_requirements = SPDU_SUR_DUPLEX;
    s.calling_ssel = ber_slice_make("\x00\x01", 2);
    s.called_ssel = ber_slice_make("\x00\x01", 2);
    s.user_data = ber_writer_slice(&w2);
    ber_writer_reset(&w);
    assert_int_equal(spdu_encode(&w, &s), 0);
    assert_int_equal(x4pcap_write(pc, true, frame, tsdu_frame(frame, sizeof(frame), &w)), 0);

    /* AC: AARE accepted with bind-result */
    ber_writer_reset(&w);
    acse_init(&a, ACSE_AARE);
    a.context_name = oid_ac_ms_access_88;
    a.result = ACSE_ACCEPTED;
    a.diagnostic_source = ACSE_DIAG_SERVICE_USER;
    a.diagnostic = ACSE_USER_NULL;
    m = ber_mark(&w);
    ber_put_raw(&w, bind_res, sizeof(bind_res));
    r.type = ROS_BIND_RESULT;
    ros_encode_after(&w, &r, m);
    acse_wrap_external(&w, m, 3);
    acse_encode_after(&w, &a, m);
    pres_connect_init(&cp);
    cp.responding_selector = ber_slice_make("\x00\x01", 2);
    cp.has_result_list = true;
    cp.nresults = 3;
    for (int i = 0; i < 3; i++) {
        cp.results[i].result = PRES_ACCEPTANCE;
        cp.results[i].transfer_syntax = oid_ber;
    }
    cp.user_data.present = true;
    cp.user_data.npdv = 1;
    cp.user_data.pdv[0].context_id = 1;
    cp.user_data.pdv[0].value = ber_writer_slice(&w);
    ber_writer_reset(&w2);
    assert_int_equal(pres_encode_cpa(&w2, &cp), 0);
    spdu_init(&s, SPDU_AC);
    s.present = SPDU_P_PROTOCOL_OPTIONS | SPDU_P_VERSION | SPDU_P_SESSION_REQUIREMENTS | SPDU_P_USER_DATA;
    s.version = SPDU_VERSION_2;
    s.session_requirements = SPDU_SUR_DUPLEX;
    s.user_data = ber_writer_slice(&w2);
    ber_writer_reset(&w);
    assert_int_equal(spdu_encode(&w, &s), 0);
    assert_int_equal(x4pcap_write(pc, false, frame, tsdu_frame(frame, sizeof(frame), &w)), 0);

    /* P-DATA: invoke delete (23) { sequence-numbers [2] { 5 } } on mrse-88, its result, a reject */
    const uint8_t del_arg[] = { 0x31, 0x07, 0xa2, 0x05, 0x31, 0x03, 0x02, 0x01, 0x05 };
    struct ber_slice pdus[3];
    static uint8_t keep[3][256];
    for (int k = 0; k < 3; k++) {
        ber_writer_reset(&w);
        m = ber_mark(&w);
        memset(&r, 0, sizeof(r));
        r.invoke_id = 1;
        r.opcode.local = 23;
        if (k == 0) {
            r.type = ROS_INVOKE;
            ber_put_raw(&w, del_arg, sizeof(del_arg));
        } else if (k == 1) {
            r.type = ROS_RETURN_RESULT;
            ber_put_null(&w, BER_UNIV(BER_NULL));
        } else {
            r.type = ROS_REJECT;
            r.invoke_id = 2;
            r.problem_kind = ROS_PROBLEM_INVOKE;
            r.problem = ROS_IP_UNRECOGNIZED_OPERATION;
        }
        assert_int_equal(ros_encode_after(&w, &r, m), 0);
        assert_int_equal(pres_wrap_single(&w, m, 5), 0);
        assert_int_equal(spdu_encode_gt_dt(&w, ber_slice_make(NULL, 0)), 0);
        /* spdu_encode_gt_dt with empty user info put GT DT in front: fine */
        memcpy(keep[k], ber_writer_data(&w), ber_writer_len(&w));
        pdus[k] = ber_slice_make(keep[k], ber_writer_len(&w));
        size_t n = x4pcap_tpkt_dt(frame, sizeof(frame), pdus[k].ptr, pdus[k].len);
        assert_int_equal(x4pcap_write(pc, k != 1 ? true : false, frame, n), 0);
    }

    /* FN + RLRQ, DN + RLRE */
    for (int k = 0; k < 2; k++) {
        ber_writer_reset(&w);
        acse_init(&a, k == 0 ? ACSE_RLRQ : ACSE_RLRE);
        a.has_reason = true;
        a.reason = ACSE_RELEASE_NORMAL;
        m = ber_mark(&w);
        acse_encode(&w, &a);
        pres_wrap_single(&w, m, 1);
        ber_writer_reset(&w2);
        ber_put_slice(&w2, ber_writer_slice(&w));
        spdu_init(&s, k == 0 ? SPDU_FN : SPDU_DN);
        s.present = SPDU_P_USER_DATA | (k == 0 ? SPDU_P_TRANSPORT_DISCONNECT : 0);
        s.transport_disconnect = SPDU_TD_RELEASED;
        s.user_data = ber_writer_slice(&w2);
        ber_writer_reset(&w);
        assert_int_equal(spdu_encode(&w, &s), 0);
        assert_int_equal(x4pcap_write(pc, k == 0, frame, tsdu_frame(frame, sizeof(frame), &w)), 0);
    }
    assert_int_equal(x4pcap_close(pc), 0);

    char report[4096];
    static char verbose[1 << 20];
    int rc = x4_tshark_check(path, port, report, sizeof(report), verbose, sizeof(verbose));
    if (rc != 0)
        print_message("tshark report:\n%s\n", report);
    assert_int_equal(rc, 0);
    /* and tshark saw what we meant */
    assert_non_null(strstr(verbose, "CONNECT (CN) SPDU"));
    assert_non_null(strstr(verbose, "ACCEPT (AC) SPDU"));
    assert_non_null(strstr(verbose, "aarq"));
    assert_non_null(strstr(verbose, "aare"));
    assert_non_null(strstr(verbose, "bind-invoke"));
    assert_non_null(strstr(verbose, "invoke"));
    assert_non_null(strstr(verbose, "returnResult"));
    assert_non_null(strstr(verbose, "reject"));
    assert_non_null(strstr(verbose, "rlrq"));
    assert_non_null(strstr(verbose, "rlre"));
    if (rc == 0)
        unlink(path);
    ber_writer_free(&w);
    ber_writer_free(&w2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_osi_isode_cn_cp_aarq),
        cmocka_unit_test(test_osi_isode_ac_cpa_aare),
        cmocka_unit_test(test_osi_isode_release),
        cmocka_unit_test(test_osi_isode_rtse_association),
        cmocka_unit_test(test_osi_isode_tokens_and_activities),
        cmocka_unit_test(test_osi_spdu_round_trip_all_types),
        cmocka_unit_test(test_osi_spdu_extended_user_data),
        cmocka_unit_test(test_osi_spdu_errors_neg),
        cmocka_unit_test(test_osi_pres_round_trip),
        cmocka_unit_test(test_osi_pres_set_order_and_indefinite),
        cmocka_unit_test(test_osi_pres_errors_neg),
        cmocka_unit_test(test_osi_acse_round_trip),
        cmocka_unit_test(test_osi_acse_unknown_extension_preserved),
        cmocka_unit_test(test_osi_acse_errors_neg),
        cmocka_unit_test(test_osi_ros_round_trip),
        cmocka_unit_test(test_osi_ros_errors_neg),
        cmocka_unit_test(test_osi_rtse_round_trip),
        cmocka_unit_test(test_osi_rtse_set_order_neg),
        cmocka_unit_test(test_osi_tshark_p7_association),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
