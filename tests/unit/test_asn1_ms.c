/* Unit tests: X.413 MS codec (asn1/ms.c). X.413 is an EXPLICIT-tags
 * module: the octets quoted below are written out by hand from X.413. */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "asn1/ms.h"
#include "mhs_test_util.h"

static const uint8_t oid_att_subject[] = { 0x56, 0x01, 0x07, 0x04 };       /* 2.6.1.7.4 */
static const uint8_t oid_att_seqnum[] = { 0x56, 0x04, 0x03, 0x27 };        /* 2.6.4.3.39 */
static const uint8_t oid_att_status[] = { 0x56, 0x04, 0x03, 0x0f };        /* 2.6.4.3.15 */
static const uint8_t oid_act_alert[] = { 0x56, 0x04, 0x04, 0x01 };         /* 2.6.4.4.1 */
#define OIDS(a) ber_slice_make(a, sizeof(a))

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

static bool equals(const struct ber_writer *w, const char *hex)
{
    uint8_t b[512];
    size_t n = mhs_t_unhex(hex, b);

    return ber_writer_len(w) == n && memcmp(ber_writer_data(w), b, n) == 0;
}

#define RECODE(name, type, dec, enc)                                                         \
    static int name(struct ber_slice in, struct ber_writer *w, struct ber_error *err)        \
    {                                                                                        \
        type v;                                                                              \
        int rc = dec(in, &v, err);                                                           \
        return rc < 0 ? rc : enc(w, &v);                                                     \
    }

RECODE(recode_bind_arg, struct ms_bind_arg, ms_bind_arg_decode, ms_bind_arg_encode)
RECODE(recode_bind_result, struct ms_bind_result, ms_bind_result_decode, ms_bind_result_encode)
RECODE(recode_bind_error, struct ms_bind_error, ms_bind_error_decode, ms_bind_error_encode)
RECODE(recode_summarize_arg, struct ms_summarize_arg, ms_summarize_arg_decode, ms_summarize_arg_encode)
RECODE(recode_summarize_result, struct ms_summarize_result, ms_summarize_result_decode, ms_summarize_result_encode)
RECODE(recode_list_arg, struct ms_list_arg, ms_list_arg_decode, ms_list_arg_encode)
RECODE(recode_list_result, struct ms_list_result, ms_list_result_decode, ms_list_result_encode)
RECODE(recode_fetch_arg, struct ms_fetch_arg, ms_fetch_arg_decode, ms_fetch_arg_encode)
RECODE(recode_fetch_result, struct ms_fetch_result, ms_fetch_result_decode, ms_fetch_result_encode)
RECODE(recode_delete_arg, struct ms_delete_arg, ms_delete_arg_decode, ms_delete_arg_encode)
RECODE(recode_delete_result, struct ms_delete_result, ms_delete_result_decode, ms_delete_result_encode)
RECODE(recode_register_arg, struct ms_register_arg, ms_register_arg_decode, ms_register_arg_encode)
RECODE(recode_register_result, struct ms_register_result, ms_register_result_decode, ms_register_result_encode)
RECODE(recode_alert_arg, struct ms_alert_arg, ms_alert_arg_decode, ms_alert_arg_encode)
RECODE(recode_modify_arg, struct ms_modify_arg, ms_modify_arg_decode, ms_modify_arg_encode)
RECODE(recode_modify_result, struct ms_modify_result, ms_modify_result_decode, ms_modify_result_encode)
RECODE(recode_submission_arg, struct ms_submission_arg, ms_submission_arg_decode, ms_submission_arg_encode)
RECODE(recode_submission_result, struct ms_submission_result, ms_submission_result_decode, ms_submission_result_encode)

/* ---- bind ------------------------------------------------------------------ */

static void test_ms_bind_arg_roundtrip(void **state)
{
    struct ms_bind_arg a, b;
    struct ber_writer w;
    struct ber_error err;

    (void)state;
    memset(&a, 0, sizeof(a));
    a.initiator_name = addr("/C=XX/A= /P=TEST/O=Org/S=alice/");
    a.credentials.password = ber_slice_make("secret", 6);
    ber_writer_init(&w);
    assert_int_equal(ms_bind_arg_encode(&w, &a), 0);
    /* 88 form: ORName, then initiator-credentials [2] { IA5String } and
     * nothing else: ms-configuration-request DEFAULT FALSE omitted. */
    assert_true(equals(&w, "31 2f 60 23 30 21 61 04 13 02 58 58 62 03 13 01 20 a2 06 13 04 54 45 53 54"
                           " 83 03 4f 72 67 a5 07 80 05 61 6c 69 63 65"
                           " a2 08 16 06 73 65 63 72 65 74"));
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_bind_arg, "MSBindArgument 88");
    /* 94 form: configuration request, registration id, bind extensions */
    a.ms_configuration_request = true;
    a.ua_registration_id = mhs_str_make("ua1", 3, BER_PRINTABLE_STRING);
    a.bind_extensions = ber_slice_make("\x30\x06\x28\x04\x06\x02\x56\x04", 8); /* raw, kept */
    ber_writer_reset(&w);
    assert_int_equal(ms_bind_arg_encode(&w, &a), 0);
    assert_true(contains(&w, "a5 03 01 01 ff"));          /* [5] EXPLICIT BOOLEAN TRUE */
    assert_true(contains(&w, "a6 05 13 03 75 61 31"));    /* [6] EXPLICIT PrintableString */
    assert_true(contains(&w, "a7 08 30 06 28 04 06 02 56 04"));
    assert_int_equal(ms_bind_arg_decode(ber_writer_slice(&w), &b, &err), 0);
    assert_true(b.ms_configuration_request);
    assert_int_equal(b.ua_registration_id.len, 3);
    assert_int_equal(b.bind_extensions.len, 8);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_bind_arg, "MSBindArgument 94");
    ber_writer_free(&w);
}

static void test_ms_bind_arg_errors_neg(void **state)
{
    static const struct { const char *hex; size_t offset; const char *type, *what; } cases[] = {
        { "31 0a a2 08 16 06 73 65 63 72 65 74", 0, "MSBindArgument", "initiator-name missing" },
        /* credentials not wrapped (implicit by mistake): [2] primitive */
        { "31 0d 60 03 30 01 00 82 06 73 65 63 72 65 74", 0, "", "" },
        { "31 0a 60 03 30 01 00 a2 03 16 01 41 ff", 0, "", "" },
        /* ms-configuration-request [5] holding an INTEGER */
        { "31 0f 60 02 30 00 a2 04 16 02 70 77 a5 03 02 01 01", 14, "ms-configuration-request", "" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t in[128];
        size_t n = mhs_t_unhex(cases[i].hex, in);
        struct ms_bind_arg a;
        struct ber_error err;
        int rc = ms_bind_arg_decode(ber_slice_make(in, n), &a, &err);

        if (rc >= 0)
            fail_msg("case %zu decoded", i);
        assert_non_null(err.type);
        if ((cases[i].offset && err.offset != cases[i].offset) || !strstr(err.type, cases[i].type) ||
            !strstr(err.what, cases[i].what))
            fail_msg("case %zu: %s at %zu: %s", i, err.type, err.offset, err.what);
    }
}

static void test_ms_bind_result_and_error(void **state)
{
    struct ms_bind_result r, d;
    struct ms_bind_error e;
    struct ber_slice actions[1] = { OIDS(oid_act_alert) };
    struct ber_slice attrs[2] = { OIDS(oid_att_subject), OIDS(oid_att_seqnum) };
    struct mhs_seq_iter it;
    struct ber_slice oid;
    struct ber_writer w;
    struct ber_error err;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.credentials.password = ber_slice_make("", 0);
    r.available_auto_actions.present = true;
    r.available_auto_actions.arr = actions;
    r.available_auto_actions.n = 1;
    r.available_attribute_types.present = true;
    r.available_attribute_types.arr = attrs;
    r.available_attribute_types.n = 2;
    r.alert_indication = true;
    ber_writer_init(&w);
    assert_int_equal(ms_bind_result_encode(&w, &r), 0);
    assert_true(contains(&w, "a3 08 31 06 06 04 56 04 04 01")); /* [3] { SET { OID } } */
    assert_true(contains(&w, "a5 03 01 01 ff"));
    assert_int_equal(ms_bind_result_decode(ber_writer_slice(&w), &d, &err), 0);
    assert_true(d.alert_indication);
    assert_int_equal(d.available_attribute_types.raw.count, 2);
    mhs_seq_iter_init(&it, &d.available_attribute_types.raw, &err);
    assert_int_equal(ms_oid_next(&it, &oid), 1);
    assert_true(ber_slice_eq(oid, OIDS(oid_att_subject)));
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_bind_result, "MSBindResult");

    memset(&e, 0, sizeof(e));
    e.problem = MS_BIND_AUTHENTICATION_ERROR;
    ber_writer_reset(&w);
    assert_int_equal(ms_bind_error_encode(&w, &e), 0);
    assert_true(equals(&w, "0a 01 00"));
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_bind_error, "MSBindError 88");
    e.qualified = true;
    e.supplementary_information = ber_slice_make("bad password", 12);
    ber_writer_reset(&w);
    assert_int_equal(ms_bind_error_encode(&w, &e), 0);
    assert_true(contains(&w, "a0 03 0a 01 00"));
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_bind_error, "MSBindError 94");
    ber_writer_free(&w);
}

/* ---- Selector, Filter, List -------------------------------------------------- */

/* Filter: and { item equality (retrieval-status = 0), not { item present subject } } */
static const char filter_hex[] =
    "a1 1b 31 19"
    "  a0 0d a0 0b 30 09 06 04 56 04 03 0f 02 01 00"
    "  a3 08 a0 06 a4 04 06 02 56 01";

static void fill_selector(struct ms_selector *s, uint8_t *fbuf)
{
    memset(s, 0, sizeof(*s));
    s->range = MS_RANGE_SEQUENCE_NUMBER;
    s->has_from = true;
    s->from_seq = 10;
    s->has_to = true;
    s->to_seq = 20;
    s->filter = ber_slice_make(fbuf, mhs_t_unhex(filter_hex, fbuf));
    s->has_limit = true;
    s->limit = 100;
}

static void test_ms_list_arg_roundtrip(void **state)
{
    struct ms_list_arg a, d;
    struct ms_attr_selection sel[2];
    struct ms_filter f, sub;
    struct mhs_seq_iter it;
    struct ber_tlv t;
    struct ber_writer w;
    struct ber_error err;
    uint8_t fbuf[64];

    (void)state;
    memset(&a, 0, sizeof(a));
    fill_selector(&a.selector, fbuf);
    memset(sel, 0, sizeof(sel));
    sel[0].type = OIDS(oid_att_subject);
    sel[1].type = OIDS(oid_att_seqnum);
    sel[1].has_count = true;
    sel[1].count = 1;
    a.requested_array = sel;
    a.n_requested_array = 2;
    ber_writer_init(&w);
    assert_int_equal(ms_list_arg_encode(&w, &a), 0);
    /* selector [1] { SET { range [1] { [0] { SEQUENCE { [0] {10}, [1] {20} } } } ... } } */
    assert_true(contains(&w, "a1 0e a0 0c 30 0a a0 03 02 01 0a a1 03 02 01 14"));
    assert_true(contains(&w, "a3 03 02 01 64"));  /* limit [3] 100 */
    assert_false(contains(&w, "a0 03 02 01 00")); /* entry-class DEFAULT delivery omitted */
    assert_int_equal(ms_list_arg_decode(ber_writer_slice(&w), &d, &err), 0);
    assert_int_equal(d.entry_class, MS_EC_DELIVERY);
    assert_int_equal(d.selector.range, MS_RANGE_SEQUENCE_NUMBER);
    assert_int_equal(d.selector.from_seq, 10);
    assert_int_equal(d.selector.to_seq, 20);
    assert_int_equal(d.selector.limit, 100);
    assert_true(d.has_requested_attributes);
    assert_int_equal(d.requested_attributes.count, 2);
    /* walk the filter */
    assert_int_equal(ms_filter_decode(d.selector.filter, &f, &err), 0);
    assert_int_equal(f.kind, MS_FILTER_AND);
    assert_int_equal(f.subfilters.count, 2);
    mhs_seq_iter_init(&it, &f.subfilters, &err);
    assert_int_equal(mhs_seq_iter_next(&it, &t), 1);
    assert_int_equal(ms_filter_decode(ber_tlv_whole(&t), &sub, &err), 0);
    assert_int_equal(sub.kind, MS_FILTER_ITEM);
    assert_int_equal(sub.item, MS_FI_EQUALITY);
    assert_true(ber_slice_eq(sub.type, OIDS(oid_att_status)));
    assert_int_equal(sub.value.len, 3);
    assert_int_equal(mhs_seq_iter_next(&it, &t), 1);
    assert_int_equal(ms_filter_decode(ber_tlv_whole(&t), &sub, &err), 0);
    assert_int_equal(sub.kind, MS_FILTER_NOT);
    assert_int_equal(ms_filter_decode(sub.sub, &sub, &err), 0);
    assert_int_equal(sub.item, MS_FI_PRESENT);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_list_arg, "ListArgument");
    ber_writer_free(&w);
}

static void test_ms_filter_errors_neg(void **state)
{
    uint8_t in[256];
    size_t n = 0;
    struct ms_list_arg d;
    struct ber_error err;

    (void)state;
    /* a filter nested 40 levels deep: not { not { ... present } } */
    {
        uint8_t inner[256];
        size_t k = mhs_t_unhex("a4 04 06 02 56 01", inner);

        /* item [0] { present } */
        memmove(inner + 2, inner, k);
        inner[0] = 0xa0;
        inner[1] = (uint8_t)k;
        k += 2;
        for (int lvl = 0; lvl < 40; lvl++) {
            memmove(inner + 2, inner, k);
            inner[0] = 0xa3;
            inner[1] = (uint8_t)k;
            k += 2;
        }
        /* ListArgument SET { selector [1] { SET { filter [2] { <filter> } } } } */
        n = 0;
        in[n++] = 0x31;
        in[n++] = (uint8_t)(k + 6);
        in[n++] = 0xa1;
        in[n++] = (uint8_t)(k + 4);
        in[n++] = 0x31;
        in[n++] = (uint8_t)(k + 2);
        in[n++] = 0xa2;
        in[n++] = (uint8_t)k;
        memcpy(in + n, inner, k);
        n += k;
    }
    assert_true(ms_list_arg_decode(ber_slice_make(in, n), &d, &err) < 0);
    assert_non_null(err.type);
    assert_true(strstr(err.type, "Filter") != NULL || strstr(err.what, "deep") != NULL);
    /* an unknown filter item [9] */
    n = mhs_t_unhex("31 0c a1 0a 31 08 a2 06 a0 04 a9 02 05 00", in);
    assert_int_equal(ms_list_arg_decode(ber_slice_make(in, n), &d, &err), X400MS_EPROTO);
    assert_int_equal(err.offset, 10);
    assert_non_null(strstr(err.type, "FilterItem"));
    /* selector missing */
    n = mhs_t_unhex("31 05 a0 03 02 01 00", in);
    assert_int_equal(ms_list_arg_decode(ber_slice_make(in, n), &d, &err), X400MS_EPROTO);
    assert_non_null(strstr(err.what, "selector missing"));
}

static void test_ms_list_result_lazy(void **state)
{
    struct ms_entry_info entries[3];
    struct ms_attribute attrs[2];
    struct ber_slice subj_vals[1], seq_vals[1];
    struct ms_list_result r, d;
    struct ms_entry_info e;
    struct ms_attribute at;
    struct mhs_seq_iter it, ai;
    struct ber_writer w;
    struct ber_error err;
    uint8_t subj[] = { 0x14, 0x05, 'h', 'e', 'l', 'l', 'o' };
    uint8_t seqv[] = { 0x02, 0x01, 0x07 };
    int n = 0;

    (void)state;
    subj_vals[0] = ber_slice_make(subj, sizeof(subj));
    seq_vals[0] = ber_slice_make(seqv, sizeof(seqv));
    memset(attrs, 0, sizeof(attrs));
    attrs[0].type = OIDS(oid_att_subject);
    attrs[0].value_array = subj_vals;
    attrs[0].n_value_array = 1;
    attrs[1].type = OIDS(oid_att_seqnum);
    attrs[1].value_array = seq_vals;
    attrs[1].n_value_array = 1;
    memset(entries, 0, sizeof(entries));
    for (int i = 0; i < 3; i++) {
        entries[i].sequence_number = 7 + i;
        entries[i].has_attributes = true;
        entries[i].attribute_array = attrs;
        entries[i].n_attribute_array = 2;
    }
    memset(&r, 0, sizeof(r));
    r.has_next = true;
    r.next = 10;
    r.requested_array = entries;
    r.n_requested_array = 3;
    ber_writer_init(&w);
    assert_int_equal(ms_list_result_encode(&w, &r), 0);
    assert_true(contains(&w, "a0 03 02 01 0a"));     /* next [0] 10 */
    assert_int_equal(ms_list_result_decode(ber_writer_slice(&w), &d, &err), 0);
    assert_int_equal(d.requested.count, 3);
    mhs_seq_iter_init(&it, &d.requested, &err);
    while (ms_entry_info_next(&it, &e) == 1) {
        assert_int_equal(e.sequence_number, 7 + n);
        assert_int_equal(e.attributes.count, 2);
        mhs_seq_iter_init(&ai, &e.attributes, &err);
        assert_int_equal(ms_attribute_next(&ai, &at), 1);
        assert_true(ber_slice_eq(at.type, OIDS(oid_att_subject)));
        assert_int_equal(at.values.count, 1);
        assert_int_equal(at.values.raw.len, sizeof(subj));
        assert_memory_equal(at.values.raw.ptr, subj, sizeof(subj));
        n++;
    }
    assert_int_equal(n, 3);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_list_result, "ListResult");
    /* an empty result omits requested */
    memset(&r, 0, sizeof(r));
    ber_writer_reset(&w);
    assert_int_equal(ms_list_result_encode(&w, &r), 0);
    assert_true(equals(&w, "31 00"));
    ber_writer_free(&w);
}

static void test_ms_list_result_bad_entry_neg(void **state)
{
    /* ListResult { requested [1] { SEQUENCE { EntryInformation with a
     * negative sequence number } } }: found when iterating, offset in the PDU */
    uint8_t in[64];
    size_t n = mhs_t_unhex("31 09 a1 07 30 05 30 03 02 01 ff", in);
    struct ms_list_result d;
    struct ms_entry_info e;
    struct mhs_seq_iter it;
    struct ber_error err;

    (void)state;
    assert_int_equal(ms_list_result_decode(ber_slice_make(in, n), &d, &err), 0);
    mhs_seq_iter_init(&it, &d.requested, &err);
    assert_int_equal(ms_entry_info_next(&it, &e), X400MS_EPROTO);
    assert_int_equal(err.offset, 8);
    assert_non_null(strstr(err.type, "sequence-number"));
}

/* ---- Fetch ------------------------------------------------------------------- */

static void test_ms_fetch_precise_explicit(void **state)
{
    struct ms_fetch_arg a, d;
    struct ber_writer w;
    struct ber_error err;

    (void)state;
    memset(&a, 0, sizeof(a));
    a.precise = true;
    a.sequence_number = 3;
    ber_writer_init(&w);
    assert_int_equal(ms_fetch_arg_encode(&w, &a), 0);
    /* WIRE-NOTES: Fetch precise [2] 3 is A2 03 02 01 03 (EXPLICIT module) */
    assert_true(equals(&w, "31 05 a2 03 02 01 03"));
    assert_int_equal(ms_fetch_arg_decode(ber_writer_slice(&w), &d, &err), 0);
    assert_true(d.precise);
    assert_int_equal(d.sequence_number, 3);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_fetch_arg, "FetchArgument");
    /* the implicit form 82 01 03 is refused */
    {
        uint8_t bad[] = { 0x31, 0x03, 0x82, 0x01, 0x03 };

        assert_int_equal(ms_fetch_arg_decode(ber_slice_make(bad, sizeof(bad)), &d, &err), X400MS_EPROTO);
        assert_int_equal(err.offset, 2);
        assert_non_null(strstr(err.type, "precise"));
    }
    /* both search and precise: the CHOICE appears twice */
    {
        uint8_t bad[] = { 0x31, 0x09, 0xa2, 0x03, 0x02, 0x01, 0x03, 0xa1, 0x02, 0x31, 0x00 };

        assert_int_equal(ms_fetch_arg_decode(ber_slice_make(bad, sizeof(bad)), &d, &err), X400MS_EPROTO);
        assert_non_null(strstr(err.what, "twice"));
    }
    ber_writer_free(&w);
}

static void test_ms_fetch_search_and_result(void **state)
{
    struct ms_fetch_arg a;
    struct ms_fetch_result r, d;
    struct ms_attribute attrs[1];
    struct ber_slice vals[2];
    int64_t list[3] = { 4, 5, 6 };
    struct ber_writer w;
    struct ber_error err;
    struct mhs_seq_iter it;
    int64_t v;
    uint8_t fbuf[64];
    uint8_t v1[] = { 0x02, 0x01, 0x01 }, v2[] = { 0x02, 0x01, 0x02 };

    (void)state;
    memset(&a, 0, sizeof(a));
    a.entry_class = MS_EC_SUBMISSION;
    fill_selector(&a.search, fbuf);
    a.search.child_entries = true;
    ber_writer_init(&w);
    assert_int_equal(ms_fetch_arg_encode(&w, &a), 0);
    assert_true(contains(&w, "a0 03 02 01 01"));     /* entry-class [0] submission */
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_fetch_arg, "FetchArgument search");

    memset(&r, 0, sizeof(r));
    vals[0] = ber_slice_make(v1, 3);
    vals[1] = ber_slice_make(v2, 3);
    memset(attrs, 0, sizeof(attrs));
    attrs[0].type = OIDS(oid_att_status);
    attrs[0].value_array = vals;
    attrs[0].n_value_array = 2;
    r.has_entry = true;
    r.entry.sequence_number = 3;
    r.entry.has_attributes = true;
    r.entry.attribute_array = attrs;
    r.entry.n_attribute_array = 1;
    r.list.present = true;
    r.list.arr = list;
    r.list.n = 3;
    r.has_next = true;
    r.next = 7;
    ber_writer_reset(&w);
    assert_int_equal(ms_fetch_result_encode(&w, &r), 0);
    assert_true(contains(&w, "a1 0b 30 09 02 01 04 02 01 05 02 01 06"));
    assert_int_equal(ms_fetch_result_decode(ber_writer_slice(&w), &d, &err), 0);
    assert_true(d.has_entry);
    assert_int_equal(d.entry.sequence_number, 3);
    assert_int_equal(d.list.raw.count, 3);
    mhs_seq_iter_init(&it, &d.list.raw, &err);
    assert_int_equal(ms_int_next(&it, &v), 1);
    assert_int_equal(v, 4);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_fetch_result, "FetchResult");
    ber_writer_free(&w);
}

/* ---- Summarize, Delete, Register-MS, Alert, Modify ----------------------------- */

static void test_ms_summarize(void **state)
{
    struct ms_summarize_arg a;
    struct ms_summarize_result r;
    struct ber_slice req[1] = { OIDS(oid_att_status) };
    struct ber_writer w;
    uint8_t fbuf[64];

    (void)state;
    memset(&a, 0, sizeof(a));
    fill_selector(&a.selector, fbuf);
    a.summary_requests.present = true;
    a.summary_requests.arr = req;
    a.summary_requests.n = 1;
    ber_writer_init(&w);
    assert_int_equal(ms_summarize_arg_encode(&w, &a), 0);
    assert_true(contains(&w, "a2 08 30 06 06 04 56 04 03 0f"));
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_summarize_arg, "SummarizeArgument");
    memset(&r, 0, sizeof(r));
    r.count = 2;
    r.has_span = true;
    r.lowest = 1;
    r.highest = 9;
    r.summaries = ber_slice_make("\x30\x07\x31\x05\xa0\x03\x02\x01\x01", 9); /* raw, not interpreted */
    ber_writer_reset(&w);
    assert_int_equal(ms_summarize_result_encode(&w, &r), 0);
    assert_true(contains(&w, "a2 0c 30 0a a0 03 02 01 01 a1 03 02 01 09"));
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_summarize_result, "SummarizeResult");
    ber_writer_free(&w);
}

static void test_ms_delete(void **state)
{
    struct ms_delete_arg a, d;
    struct ms_delete_result r, dr;
    int64_t seqs[2] = { 5, 9 };
    struct ber_writer w;
    struct ber_error err;

    (void)state;
    memset(&a, 0, sizeof(a));
    a.sequence_numbers.arr = seqs;
    a.sequence_numbers.n = 2;
    ber_writer_init(&w);
    assert_int_equal(ms_delete_arg_encode(&w, &a), 0);
    assert_true(equals(&w, "31 0a a2 08 31 06 02 01 05 02 01 09"));
    assert_int_equal(ms_delete_arg_decode(ber_writer_slice(&w), &d, &err), 0);
    assert_false(d.by_selector);
    assert_int_equal(d.sequence_numbers.raw.count, 2);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_delete_arg, "DeleteArgument");
    /* 88 result NULL, 94 result SET */
    memset(&r, 0, sizeof(r));
    ber_writer_reset(&w);
    assert_int_equal(ms_delete_result_encode(&w, &r), 0);
    assert_true(equals(&w, "05 00"));
    assert_int_equal(ms_delete_result_decode(ber_writer_slice(&w), &dr, &err), 0);
    assert_false(dr.is_94);
    r.is_94 = true;
    r.entries_deleted.present = true;
    r.entries_deleted.arr = seqs;
    r.entries_deleted.n = 2;
    ber_writer_reset(&w);
    assert_int_equal(ms_delete_result_encode(&w, &r), 0);
    assert_true(equals(&w, "31 0a a0 08 30 06 02 01 05 02 01 09"));
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_delete_result, "DeleteResult 94");
    ber_writer_free(&w);
}

static void test_ms_register(void **state)
{
    struct ms_register_arg a, d;
    struct ms_register_result r;
    struct ms_auto_action_registration reg[1], got;
    struct ber_slice defaults[2] = { OIDS(oid_att_subject), OIDS(oid_att_status) };
    struct mhs_seq_iter it;
    struct ber_writer w;
    struct ber_error err;

    (void)state;
    memset(&a, 0, sizeof(a));
    memset(reg, 0, sizeof(reg));
    reg[0].type = OIDS(oid_act_alert);
    reg[0].registration_id = 1; /* DEFAULT: omitted */
    reg[0].parameter = ber_slice_make("\x31\x00", 2);
    a.registration_array = reg;
    a.n_registration_array = 1;
    a.list_attribute_defaults.present = true;
    a.list_attribute_defaults.arr = defaults;
    a.list_attribute_defaults.n = 2;
    a.has_change_credentials = true;
    a.old_credentials.password = ber_slice_make("old", 3);
    a.new_credentials.password = ber_slice_make("new", 3);
    ber_writer_init(&w);
    assert_int_equal(ms_register_arg_encode(&w, &a), 0);
    assert_true(contains(&w, "a0 0e 31 0c 30 0a 06 04 56 04 04 01 a1 02 31 00"));
    assert_true(contains(&w, "a4 10 30 0e a0 05 16 03 6f 6c 64 a1 05 16 03 6e 65 77"));
    assert_int_equal(ms_register_arg_decode(ber_writer_slice(&w), &d, &err), 0);
    assert_true(d.has_registrations);
    mhs_seq_iter_init(&it, &d.registrations, &err);
    assert_int_equal(ms_auto_action_registration_next(&it, &got), 1);
    assert_int_equal(got.registration_id, 1);
    assert_int_equal(got.parameter.len, 2);
    assert_true(d.has_change_credentials);
    assert_int_equal(d.new_credentials.password.len, 3);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_register_arg, "Register-MSArgument");
    memset(&r, 0, sizeof(r));
    ber_writer_reset(&w);
    assert_int_equal(ms_register_result_encode(&w, &r), 0);
    assert_true(equals(&w, "05 00"));
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_register_result, "Register-MSResult");
    ber_writer_free(&w);
}

static void test_ms_alert_and_modify(void **state)
{
    struct ms_alert_arg a;
    struct ms_modify_arg m, d;
    struct ms_modify_result mr;
    struct ms_modification mods[2], got;
    struct ber_slice vals[1];
    int64_t ents[1] = { 12 };
    struct mhs_seq_iter it;
    struct ber_writer w;
    struct ber_error err;
    uint8_t v1[] = { 0x02, 0x01, 0x02 };

    (void)state;
    memset(&a, 0, sizeof(a));
    a.registration_id = 1;
    a.has_new_entry = true;
    a.new_entry.sequence_number = 42;
    ber_writer_init(&w);
    assert_int_equal(ms_alert_arg_encode(&w, &a), 0);
    assert_true(equals(&w, "31 0c a0 03 02 01 01 a2 05 30 03 02 01 2a"));
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_alert_arg, "AlertArgument");
    ber_writer_reset(&w);
    assert_int_equal(ms_null_encode(&w), 0);
    assert_int_equal(ms_null_decode(ber_writer_slice(&w), &err), 0);

    memset(&m, 0, sizeof(m));
    memset(mods, 0, sizeof(mods));
    vals[0] = ber_slice_make(v1, 3);
    mods[0].kind = MS_MOD_ADD_ATTRIBUTE;
    mods[0].attribute.type = OIDS(oid_att_status);
    mods[0].attribute.value_array = vals;
    mods[0].attribute.n_value_array = 1;
    mods[1].kind = MS_MOD_REMOVE_ATTRIBUTE;
    mods[1].strict = true;
    mods[1].type = OIDS(oid_att_subject);
    m.specific_entries.arr = ents;
    m.specific_entries.n = 1;
    m.modification_array = mods;
    m.n_modification_array = 2;
    ber_writer_reset(&w);
    assert_int_equal(ms_modify_arg_encode(&w, &m), 0);
    assert_int_equal(ms_modify_arg_decode(ber_writer_slice(&w), &d, &err), 0);
    assert_int_equal(d.modifications.count, 2);
    mhs_seq_iter_init(&it, &d.modifications, &err);
    assert_int_equal(ms_modification_next(&it, &got), 1);
    assert_int_equal(got.kind, MS_MOD_ADD_ATTRIBUTE);
    assert_int_equal(ms_modification_next(&it, &got), 1);
    assert_int_equal(got.kind, MS_MOD_REMOVE_ATTRIBUTE);
    assert_true(got.strict);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_modify_arg, "ModifyArgument");
    memset(&mr, 0, sizeof(mr));
    mr.entries_modified.present = true;
    mr.entries_modified.arr = ents;
    mr.entries_modified.n = 1;
    ber_writer_reset(&w);
    assert_int_equal(ms_modify_result_encode(&w, &mr), 0);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_modify_result, "ModifyResult");
    ber_writer_free(&w);
}

/* ---- MS submission ----------------------------------------------------------------- */

static void test_ms_submission(void **state)
{
    struct ms_submission_arg a;
    struct ms_submission_result r;
    struct mts_submission_recipient rec[1];
    struct ber_writer w;

    (void)state;
    memset(&a, 0, sizeof(a));
    memset(rec, 0, sizeof(rec));
    a.mts.envelope.originator_name = addr("/C=XX/A= /P=TEST/O=Org/S=alice/");
    a.mts.envelope.content_type.present = true;
    a.mts.envelope.content_type.builtin = true;
    a.mts.envelope.content_type.builtin_value = 22;
    rec[0].recipient_name = addr("/C=XX/A= /P=TEST/O=Org/S=bob/");
    a.mts.envelope.recipient_array = rec;
    a.mts.envelope.n_recipient_array = 1;
    a.mts.content.bytes = ber_slice_make("\xa0\x00", 2);
    a.submission_options = ber_slice_make("\x31\x00", 2);
    ber_writer_init(&w);
    assert_int_equal(ms_submission_arg_encode(&w, &a), 0);
    assert_true(contains(&w, "04 02 a0 00 a4 02 31 00"));
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_submission_arg, "MSMessageSubmissionArgument");
    memset(&r, 0, sizeof(r));
    r.mts.identifier.gdi.country = mhs_str_make("XX", 2, BER_PRINTABLE_STRING);
    r.mts.identifier.gdi.admd = mhs_str_make(" ", 1, BER_PRINTABLE_STRING);
    r.mts.identifier.local = mhs_str_make("id1", 3, BER_IA5_STRING);
    r.mts.time = mhs_time_make(1795332761);
    ber_writer_reset(&w);
    assert_int_equal(ms_submission_result_encode(&w, &r), 0);
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_submission_result, "MSMessageSubmissionResult");
    r.store_draft = true;
    r.draft_result = ber_slice_make("\x31\x05\xa0\x03\x02\x01\x05", 7);
    ber_writer_reset(&w);
    assert_int_equal(ms_submission_result_encode(&w, &r), 0);
    assert_true(equals(&w, "a4 07 31 05 a0 03 02 01 05"));
    mhs_t_check_forms(ber_writer_data(&w), ber_writer_len(&w), recode_submission_result, "store-draft-result");
    ber_writer_free(&w);
}

/* ---- error parameters ---------------------------------------------------------------- */

/* Every problem item has a mandatory member beside the problem (X.413 8.4):
 * one without it is refused, per error (found by fuzz_p7arg: an
 * attribute-error without type [1] decoded, then re-encoded with an empty
 * OBJECT IDENTIFIER). Input: SET { [0] SET OF { SET { [0] INTEGER } } }. */
static void test_ms_error_problem_member_missing_neg(void **state)
{
    static const uint8_t only_problem[] = { 0x31, 0x0b, 0xa0, 0x09, 0x31, 0x07, 0x31, 0x05,
                                                  0xa0, 0x03, 0x02, 0x01, 0x01 };
    static const int codes[] = { MS_ERR_ATTRIBUTE, MS_ERR_AUTO_ACTION_REQUEST, MS_ERR_DELETE };
    struct ms_problem out[2];
    struct ber_error err;

    (void)state;
    for (size_t k = 0; k < sizeof codes / sizeof codes[0]; k++) {
        struct ms_problem_error pd = { .code = codes[k], .problems = out, .max_problems = 2 };
        memset(&err, 0, sizeof err);
        assert_int_equal(ms_problem_error_decode(ber_slice_make(only_problem, sizeof only_problem),
                                                 &pd, &err),
                         X400MS_EPROTO);
        assert_non_null(err.what);
        assert_non_null(strstr(err.what, "missing"));
    }
}

static void test_ms_error_parameters(void **state)
{
    struct ms_problem probs[2], out[2];
    struct ms_problem_error pe, pd;
    struct ms_simple_error se, sd;
    struct ber_writer w;
    struct ber_error err;

    (void)state;
    memset(probs, 0, sizeof(probs));
    probs[0].problem = 0; /* no-such-entry */
    probs[0].sequence_number = 11;
    probs[1].problem = 0;
    probs[1].sequence_number = 12;
    memset(&pe, 0, sizeof(pe));
    pe.code = MS_ERR_SEQUENCE_NUMBER;
    pe.problems = probs;
    pe.n_problems = 2;
    ber_writer_init(&w);
    assert_int_equal(ms_problem_error_encode(&w, &pe), 0);
    /* SET { problems [1] { SET OF { SET { [0] {0}, [1] {11} } ... } } } */
    assert_true(equals(&w, "31 1c a1 1a 31 18 31 0a a0 03 02 01 00 a1 03 02 01 0b"
                           " 31 0a a0 03 02 01 00 a1 03 02 01 0c"));
    memset(&pd, 0, sizeof(pd));
    pd.code = MS_ERR_SEQUENCE_NUMBER;
    pd.problems = out;
    pd.max_problems = 2;
    assert_int_equal(ms_problem_error_decode(ber_writer_slice(&w), &pd, &err), 0);
    assert_int_equal(pd.n_problems, 2);
    assert_int_equal(out[1].sequence_number, 12);
    /* caller's array too small: ELIMIT naming the offset of the extra problem */
    pd.max_problems = 1;
    assert_int_equal(ms_problem_error_decode(ber_writer_slice(&w), &pd, &err), X400MS_ELIMIT);
    assert_int_equal(err.offset, 18);

    memset(&se, 0, sizeof(se));
    se.code = MS_ERR_SERVICE;
    se.problem = 2;
    se.supplementary_information = ber_slice_make("busy", 4);
    ber_writer_reset(&w);
    assert_int_equal(ms_simple_error_encode(&w, &se), 0);
    assert_true(equals(&w, "31 0d a0 03 02 01 02 a1 06 1b 04 62 75 73 79"));
    memset(&sd, 0, sizeof(sd));
    sd.code = MS_ERR_SERVICE;
    assert_int_equal(ms_simple_error_decode(ber_writer_slice(&w), &sd, &err), 0);
    assert_int_equal(sd.problem, 2);
    assert_int_equal(sd.supplementary_information.len, 4);

    memset(&se, 0, sizeof(se));
    se.code = MS_ERR_ENTRY_CLASS;
    se.entry_class = 2;
    se.problem_bits = 1u << 0;
    ber_writer_reset(&w);
    assert_int_equal(ms_simple_error_encode(&w, &se), 0);
    assert_true(equals(&w, "31 0b a0 03 02 01 02 a1 04 03 02 07 80"));
    memset(&sd, 0, sizeof(sd));
    sd.code = MS_ERR_ENTRY_CLASS;
    assert_int_equal(ms_simple_error_decode(ber_writer_slice(&w), &sd, &err), 0);
    assert_int_equal(sd.problem_bits, 1);

    memset(&se, 0, sizeof(se));
    se.code = MS_ERR_RANGE;
    ber_writer_reset(&w);
    assert_int_equal(ms_simple_error_encode(&w, &se), 0);
    assert_true(equals(&w, "31 05 a0 03 02 01 00"));
    ber_writer_free(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ms_bind_arg_roundtrip),
        cmocka_unit_test(test_ms_bind_arg_errors_neg),
        cmocka_unit_test(test_ms_bind_result_and_error),
        cmocka_unit_test(test_ms_list_arg_roundtrip),
        cmocka_unit_test(test_ms_filter_errors_neg),
        cmocka_unit_test(test_ms_list_result_lazy),
        cmocka_unit_test(test_ms_list_result_bad_entry_neg),
        cmocka_unit_test(test_ms_fetch_precise_explicit),
        cmocka_unit_test(test_ms_fetch_search_and_result),
        cmocka_unit_test(test_ms_summarize),
        cmocka_unit_test(test_ms_delete),
        cmocka_unit_test(test_ms_register),
        cmocka_unit_test(test_ms_alert_and_modify),
        cmocka_unit_test(test_ms_submission),
        cmocka_unit_test(test_ms_error_parameters),
        cmocka_unit_test(test_ms_error_problem_member_missing_neg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
